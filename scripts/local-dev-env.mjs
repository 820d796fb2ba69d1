// The environment every local cluster gives `wrangler dev`: `npm run dev` (and so the
// end-to-end tests, which start clusters through it) and the benchmarks' clusters.
//
// wrangler dev turns on two tools of its own by default that a cluster pays for on the
// one thread every component shares:
// - local observability (X_LOCAL_OBSERVABILITY) streams every invocation of the worker
//   (each request, Durable Object call, alarm and D1 query) to a collector that writes
//   its spans into a SQLite store, without a limit: thousands of writes a second for a
//   cluster of a few hundred nodes, and a store that only grows;
// - the local explorer (X_LOCAL_EXPLORER) wraps every Durable Object class so that each
//   object, every time it is constructed, first writes its own name into its storage.
//   Local workerd evicts an object after 10 s idle, the nodes' heartbeat interval, so most
//   heartbeats and many scheduler calls construct their node's object again.
// Both are off here (README: "Configuration", and "wrangler dev's own tools" for what they
// cost); a value set in the environment wins, so `X_LOCAL_OBSERVABILITY=true npm run dev`
// brings one back.
const LOCAL_DEV_DEFAULTS = { X_LOCAL_EXPLORER: "false", X_LOCAL_OBSERVABILITY: "false" };

/** The environment for a wrangler child process: the defaults, the caller's environment, then `forced`. */
export function localDevEnv(forced = {}) {
  return { ...LOCAL_DEV_DEFAULTS, ...process.env, WRANGLER_SEND_METRICS: "false", ...forced };
}
