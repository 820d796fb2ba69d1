// CI guard: the committed Env types must match wrangler.toml (`npm run types` regenerates them).
import { spawnSync } from "node:child_process";

const wrangler = new URL("../node_modules/.bin/wrangler", import.meta.url).pathname;
const r = spawnSync(wrangler, ["types", "src/worker-configuration.d.ts", "--include-runtime=false", "--check"], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
if (r.status !== 0) {
  console.error("src/worker-configuration.d.ts is stale: run `npm run types` and commit it.");
  process.exit(1);
}
console.log("Env types are up to date.");
