import { defineConfig } from "drizzle-kit";

// Migrations are generated as flat files in migrations/, the layout wrangler's
// `d1 migrations apply` and the test setup's readD1Migrations() both read.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./migrations",
  migrations: { prefix: "index" },
});
