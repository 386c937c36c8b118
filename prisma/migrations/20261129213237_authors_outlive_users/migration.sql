-- A user can be deleted whatever it authored: its webhooks and chains belong to their scope and
-- keep working, with no author from then on.

-- DropForeignKey
ALTER TABLE "webhooks" DROP CONSTRAINT "webhooks_author_id_fkey";

-- DropForeignKey
ALTER TABLE "chains" DROP CONSTRAINT "chains_author_id_fkey";

-- AlterTable
ALTER TABLE "webhooks" ALTER COLUMN "author_id" DROP NOT NULL;

-- AlterTable
ALTER TABLE "chains" ALTER COLUMN "author_id" DROP NOT NULL;

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chains" ADD CONSTRAINT "chains_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

