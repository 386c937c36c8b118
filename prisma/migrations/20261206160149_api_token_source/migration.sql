-- CreateEnum
CREATE TYPE "token_source" AS ENUM ('api', 'environment', 'generated');

-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN     "source" "token_source" NOT NULL DEFAULT 'api';

