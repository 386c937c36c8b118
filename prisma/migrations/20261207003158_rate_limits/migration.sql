-- Per-webhook rate limit (deliveries per second, null: none) and a receiver's 429 Retry-After,
-- nothing sent to it before not_before (decision 0021). Read with the webhook on every attempt: no
-- extra round trip for a webhook that has neither.

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "not_before" TIMESTAMPTZ(3),
ADD COLUMN     "rate_limit" INTEGER;

