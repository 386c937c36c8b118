-- AlterTable
ALTER TABLE "events" ADD COLUMN     "subject_webhook_id" TEXT;

-- CreateTable
CREATE TABLE "operational_events" (
    "id" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "namespace" TEXT,
    "repository" TEXT,
    "contents" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "operational_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operational_checkpoints" (
    "name" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operational_checkpoints_pkey" PRIMARY KEY ("name")
);

-- What the publisher reads next (schema.prisma names it)
CREATE INDEX "operational_events_unpublished_idx" ON "operational_events"("id") WHERE "published_at" IS NULL;
