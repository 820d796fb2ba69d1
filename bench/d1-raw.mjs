// The yardstick: what one raw D1 row insert costs on this machine, measured in the
// same local runtime (workerd + SQLite through Miniflare) as the cluster, so the
// scheduler's pods per second can be read as "N raw inserts' worth of work".
// Miniflare comes with wrangler (a hoisted dependency of it).
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Inside the worker, Date.now() advances only across I/O, which every D1 call is.
const SCRIPT = `
export default {
  async fetch(req, env) {
    const n = Number(new URL(req.url).searchParams.get("n"));
    const body = "x".repeat(1024); // about the size of a small pod's JSON
    await env.DB.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL)");
    const stmt = env.DB.prepare("INSERT INTO t (name, body) VALUES (?, ?)");
    let t = Date.now();
    for (let i = 0; i < n; i++) await stmt.bind("single-" + i, body).run();
    const single = Date.now() - t;
    t = Date.now();
    await env.DB.batch(Array.from({ length: n }, (_, i) => stmt.bind("batch-" + i, body)));
    const batch = Date.now() - t;
    return Response.json({ n, singleMs: single, batchMs: batch });
  },
};`;

/**
 * `reps` measurements of `n` sequential single-row INSERTs and one batch of `n`.
 * @returns {Promise<{ n: number, singleMs: number, batchMs: number }[]>}
 */
export async function measureD1Inserts(n = 1000, reps = 3) {
  const dir = mkdtempSync(join(tmpdir(), "edgekube-bench-d1-"));
  // On disk like wrangler dev's state (an in-memory database would flatter the numbers).
  const mf = new Miniflare(
    convertV4MiniflareOptions({ modules: true, script: SCRIPT, d1Databases: ["DB"], d1Persist: dir, compatibilityDate: "2026-01-01" }),
  );
  try {
    const out = [];
    for (let i = 0; i < reps; i++) {
      const res = await mf.dispatchFetch(`http://bench/?n=${n}`);
      out.push(await res.json());
    }
    return out;
  } finally {
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
