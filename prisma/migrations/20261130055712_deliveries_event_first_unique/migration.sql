-- The unique index leads with event_id, so it also serves the reads by event (fan-out, the
-- reconciler, the cascade when an event is pruned), and the index of its own on event_id goes: one
-- index less to write on every insert and every status update of a delivery (docs/performance.md).
-- Made before the old one is dropped, so uniqueness holds throughout. The build blocks writes to
-- deliveries while it runs: seconds per million rows on the machines measured.

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_event_id_webhook_id_key" ON "deliveries"("event_id", "webhook_id");

-- DropIndex
DROP INDEX "deliveries_webhook_id_event_id_key";

-- DropIndex
DROP INDEX "deliveries_event_id_idx";
