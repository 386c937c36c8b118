-- AlterTable
ALTER TABLE "delivery_attempts" ADD COLUMN     "trimmed_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "chain_runs_event_id_idx" ON "chain_runs"("event_id");

-- What retention prunes and trims next, oldest first, without reading what it keeps (schema.prisma names them)
CREATE INDEX "deliveries_finished_idx" ON "deliveries"("completed_at") WHERE "status" <> 'pending';
CREATE INDEX "chain_runs_ended_idx" ON "chain_runs"("ended_at") WHERE "state" <> 'running';
CREATE INDEX "delivery_attempts_untrimmed_idx" ON "delivery_attempts"("started_at") WHERE "trimmed_at" IS NULL;
