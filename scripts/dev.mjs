// `npm run dev [-- wrangler dev args]`: apply the D1 migrations to the same local
// state wrangler dev will use (honouring --persist-to), then start the cluster.
import { spawnSync, spawn } from "node:child_process";
import { localDevEnv } from "./local-dev-env.mjs";

const args = process.argv.slice(2);
const persistAt = args.findIndex((a) => a === "--persist-to" || a.startsWith("--persist-to="));
const persist = persistAt < 0 ? [] : args[persistAt].includes("=") ? [args[persistAt]] : [args[persistAt], args[persistAt + 1]];
const env = localDevEnv();
const wrangler = new URL("../node_modules/.bin/wrangler", import.meta.url).pathname;

const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "edgekube", "--local", ...persist], { stdio: ["ignore", "inherit", "inherit"], env });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(wrangler, ["dev", ...args], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code) => process.exit(code ?? 0));
