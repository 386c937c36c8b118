-- A webhook may trust its own CA or skip TLS verification (as in DTR), and a delivery may be a
-- sample sent on request, never retried.

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "skip_tls_verification" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "tls_cert" TEXT;

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "test" BOOLEAN NOT NULL DEFAULT false;

