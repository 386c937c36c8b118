-- Redelivery starts a new series of attempts on a delivery (series_start), and a webhook that keeps
-- failing is disabled, counting failed deliveries since it was last enabled (enabled_at) or last
-- succeeded. The partial index finds a webhook's failed deliveries for that count.

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "enabled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "series_start" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "deliveries_failed_idx" ON "deliveries"("webhook_id", "completed_at") WHERE "status" = 'failed';
