-- Reads of the reconciler (docs/decisions/0004): pending deliveries in id order, the deliveries of an
-- event, and events by arrival time. The pending index is partial (the Prisma schema cannot say so),
-- so it holds only the deliveries still to be sent and stays small.

-- CreateIndex
CREATE INDEX "deliveries_event_id_idx" ON "deliveries"("event_id");

-- CreateIndex
CREATE INDEX "events_received_at_idx" ON "events"("received_at");

-- CreateIndex
CREATE INDEX "deliveries_pending_idx" ON "deliveries"("id") WHERE "status" = 'pending';
