-- The template format (a webhook's own Liquid template, decision 0020) and the chat formats
-- (slack, teams, discord, googlechat: Hookyard's templates). A template webhook keeps its template
-- and the Content-Type of its deliveries, both null for every other format (docs/invariants.md).
-- Postgres 12 and later add several enum values in one transaction, as long as none is used in it.

-- AlterEnum
ALTER TYPE "payload_format" ADD VALUE 'template';
ALTER TYPE "payload_format" ADD VALUE 'slack';
ALTER TYPE "payload_format" ADD VALUE 'teams';
ALTER TYPE "payload_format" ADD VALUE 'discord';
ALTER TYPE "payload_format" ADD VALUE 'googlechat';

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "template" TEXT,
ADD COLUMN     "template_content_type" TEXT;
