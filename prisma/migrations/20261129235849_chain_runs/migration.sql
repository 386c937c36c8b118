-- AlterTable
ALTER TABLE "chains" ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "chain_runs" ADD COLUMN     "current_position" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "reason" TEXT;

-- AlterTable
ALTER TABLE "chain_steps" ADD COLUMN     "started_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "chain_links_webhook_id_key" ON "chain_links"("webhook_id");

-- CreateIndex
CREATE INDEX "chain_runs_chain_id_id_idx" ON "chain_runs"("chain_id", "id" DESC);


-- The sweep that expires and interrupts runs reads running ones only (schema.prisma names it)
CREATE INDEX "chain_runs_running_idx" ON "chain_runs"("id") WHERE "state" = 'running';
