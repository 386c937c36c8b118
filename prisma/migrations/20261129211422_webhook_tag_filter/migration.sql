-- A webhook's tag filter: globs on the event's tag (packages/core tag-filter.ts). Empty means no
-- filter, which every existing webhook gets.

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "filter_tags" TEXT[] DEFAULT ARRAY[]::TEXT[];
