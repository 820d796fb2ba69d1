// Builds the bundle `npm run deploy` would upload, offline, and reports its size
// against the Workers limits (3 MiB gzipped on the Free plan, 10 MiB on Paid).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const out = mkdtempSync(join(tmpdir(), "edgekube-bundle-"));
const wrangler = new URL("../node_modules/.bin/wrangler", import.meta.url).pathname;
const r = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", out], { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
if (r.status !== 0) process.exit(r.status ?? 1);
let raw = 0;
let gz = 0;
for (const f of readdirSync(out)) {
  const p = join(out, f);
  if (!statSync(p).isFile()) continue;
  const bytes = readFileSync(p);
  raw += bytes.length;
  gz += gzipSync(bytes).length;
}
const mib = (n) => (n / 1024 / 1024).toFixed(2);
console.log(`bundle: ${mib(raw)} MiB raw, ${mib(gz)} MiB gzipped (Workers limit: 3 MiB gzipped Free, 10 MiB Paid)`);
if (gz > 3 * 1024 * 1024) {
  console.error("bundle exceeds the 3 MiB Free-plan limit");
  process.exit(1);
}
