-- AlterTable
ALTER TABLE "delivery_attempts" ADD COLUMN     "request_body" TEXT;

-- CreateIndex
CREATE INDEX "events_tag_idx" ON "events"("tag");
