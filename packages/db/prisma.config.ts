import { defineConfig } from "prisma/config";

// Used only by `prisma generate` (the client). Migrations are applied by our own runner:
// see docs/decisions/0002-migrations.md.
export default defineConfig({
  schema: "../../prisma/schema.prisma",
});
