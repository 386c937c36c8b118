-- Secret rotation: the replaced secret keeps signing beside the new one for a grace period.

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "previous_secret" TEXT,
ADD COLUMN     "previous_secret_until" TIMESTAMPTZ(3);

