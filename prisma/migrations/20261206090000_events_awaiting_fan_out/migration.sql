-- Ingest stores an event before it answers 202 (decision 0014), marked as awaiting its fan-out, and the
-- fan-out that takes it clears the mark. The reconciler queues again what is still marked after an
-- interval, so an accepted event outlives Redis losing its data. A column with a constant default
-- and a partial index of the few marked rows: no rewrite of the table, and no cost to the other
-- statements of fan-out.
ALTER TABLE "events" ADD COLUMN "awaiting_fan_out" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "events_awaiting_fan_out_idx" ON "events" ("received_at") WHERE "awaiting_fan_out";
