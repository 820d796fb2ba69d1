// `npm run bench [-- PART [args...]]`: every benchmark in turn, or only the one named
// (the keys of PARTS below), with the rest of the arguments passed to it.
import { spawnSync } from "node:child_process";

const PARTS = { nodes: "nodes.mjs", scheduler: "scheduler.mjs", decide: "decide.mjs", failover: "failover.mjs", exec: "exec-drops.mjs", load: "load.mjs", watch: "watch.mjs", dashboard: "dashboard.mjs", probes: "probes.mjs", churn: "churn.mjs", pods: "pods.mjs", list: "list.mjs", requests: "requests.mjs" };
const [part, ...given] = process.argv.slice(2);
// `npm run bench -- nodes -- --nodes 1000` passes the second "--" through: it only separates.
const rest = given[0] === "--" ? given.slice(1) : given;
if (part !== undefined && !PARTS[part]) {
  console.error(`unknown benchmark "${part}"; one of: ${Object.keys(PARTS).join(", ")}`);
  process.exit(2);
}
for (const name of part ? [part] : Object.keys(PARTS)) {
  const r = spawnSync(process.execPath, [new URL(PARTS[name], import.meta.url).pathname, ...(part ? rest : [])], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
