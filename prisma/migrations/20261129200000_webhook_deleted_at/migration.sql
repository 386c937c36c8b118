-- A deleted webhook is kept, disabled, so that the history of its deliveries stays readable (by a
-- global admin), and it is no longer listed, matched or changed.

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
