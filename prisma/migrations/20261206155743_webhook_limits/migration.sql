-- The limit a global admin set for the webhooks of one scope, in place of HOOKYARD_MAX_WEBHOOKS_PER_SCOPE
-- (PUT /api/v1/limits/webhooks). Creating a webhook locks its scope key and counts against it.

-- CreateTable
CREATE TABLE "webhook_limits" (
    "scope" TEXT NOT NULL,
    "max" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "webhook_limits_pkey" PRIMARY KEY ("scope")
);

-- AddForeignKey
ALTER TABLE "webhook_limits" ADD CONSTRAINT "webhook_limits_updated_by_fkey" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

