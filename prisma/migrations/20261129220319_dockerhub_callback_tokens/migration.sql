-- Every attempt of a dockerhub delivery carries its own callback_url, and all of them must reach the
-- delivery callback: one row per token hash beside callbacks replaces the single secret_hash column.

-- DropIndex
DROP INDEX "callbacks_secret_hash_key";

-- AlterTable
ALTER TABLE "callbacks" DROP COLUMN "secret_hash";

-- CreateTable
CREATE TABLE "callback_tokens" (
    "token_hash" TEXT NOT NULL,
    "callback_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "callback_tokens_pkey" PRIMARY KEY ("token_hash")
);

-- CreateIndex
CREATE INDEX "callback_tokens_callback_id_idx" ON "callback_tokens"("callback_id");

-- AddForeignKey
ALTER TABLE "callback_tokens" ADD CONSTRAINT "callback_tokens_callback_id_fkey" FOREIGN KEY ("callback_id") REFERENCES "callbacks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

