// The list benchmark as a picture: for each cluster size (the newest unprofiled result of each),
// the latency of a page of `list pods` (p50 and p99 of a run's pages: the median run's
// value as a dot, the runs' min-max as a bar) and of single GETs made meanwhile (p99),
// with the cluster's local storage on disk or in memory (/dev/shm) as separate columns,
// on a log scale, with the 100 ms goal for p99 drawn across. A standalone SVG.

const W = 760;
const H = 420;
const M = { left: 70, right: 190, top: 56, bottom: 64 };
const SERIES = [
  { key: "pageP50Ms", label: "page p50", colour: "#1f77b4" },
  { key: "pageP99Ms", label: "page p99", colour: "#d62728" },
  { key: "singleGetP99Ms", label: "single GET p99", colour: "#2ca02c" },
];
const GOAL_MS = 100;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** @param {{ pods: number, options: { nodes: number, podsPerNode: number, limit: number }, median: Record<string, { median: number, min: number, max: number }>, runs: unknown[] }[]} results */
export function listChart(results) {
  const bySize = new Map();
  const inMemory = (r) => (r.options.stateDir ?? "").startsWith("/dev/shm");
  // A profiled run is slowed by the sampling: not a figure.
  for (const r of results.filter((x) => !x.options.profile)) bySize.set(`${r.options.nodes}x${r.options.podsPerNode}${inMemory(r) ? " mem" : ""}`, r); // the newest wins
  const sizes = [...bySize.values()].sort((a, b) => a.pods - b.pods || a.options.nodes - b.options.nodes || Number(inMemory(a)) - Number(inMemory(b)));
  const values = sizes.flatMap((r) => SERIES.flatMap((s) => (r.median[s.key] ? [r.median[s.key].min, r.median[s.key].max] : [])));
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...values, GOAL_MS))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, GOAL_MS * 2)));
  const plotW = W - M.left - M.right;
  const bottom = H - M.bottom;
  const y = (ms) => bottom - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (bottom - M.top);
  const col = plotW / Math.max(1, sizes.length);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  const limit = sizes[0]?.options.limit ?? 500;
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(`list pods, ${limit} a page, paging through every pod of the cluster`)}</text>`);
  out.push(`<text x="${M.left}" y="36" fill="#555">${esc("dot: median of the runs, bar: min-max; one JavaScript thread for the whole cluster (local workerd)")}</text>`);
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    out.push(`<line x1="${M.left}" y1="${y(t)}" x2="${W - M.right}" y2="${y(t)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${y(GOAL_MS)}" x2="${W - M.right}" y2="${y(GOAL_MS)}" stroke="#d62728" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${W - M.right + 4}" y="${y(GOAL_MS) + 4}" fill="#d62728">goal: p99 ≤ ${GOAL_MS} ms</text>`);
  out.push(`<line x1="${M.left}" y1="${bottom}" x2="${W - M.right}" y2="${bottom}" stroke="#333"/>`);
  sizes.forEach((r, i) => {
    const cx = M.left + col * (i + 0.5);
    out.push(`<text x="${cx}" y="${bottom + 18}" text-anchor="middle">${esc(`${r.pods.toLocaleString("en")} pods`)}</text>`);
    out.push(`<text x="${cx}" y="${bottom + 33}" text-anchor="middle" fill="#555">${esc(`${r.options.nodes} nodes x ${r.options.podsPerNode}`)}</text>`);
    out.push(`<text x="${cx}" y="${bottom + 48}" text-anchor="middle" fill="#555" font-size="10">${esc(`${r.runs.length} runs, storage ${inMemory(r) ? "in memory" : "on disk"}`)}</text>`);
    SERIES.forEach((s, k) => {
      const v = r.median[s.key];
      if (!v) return;
      const x = cx + (k - 1) * 18;
      out.push(`<line x1="${x}" y1="${y(v.min)}" x2="${x}" y2="${y(v.max)}" stroke="${s.colour}" stroke-width="3" opacity="0.5"/>`);
      out.push(`<circle cx="${x}" cy="${y(v.median)}" r="4.5" fill="${s.colour}"><title>${esc(`${s.label}: ${v.median.toFixed(0)} ms (${v.min.toFixed(0)}-${v.max.toFixed(0)})`)}</title></circle>`);
      out.push(`<text x="${x + 7}" y="${y(v.median) + 4}" font-size="10" fill="${s.colour}">${v.median.toFixed(0)}</text>`);
    });
  });
  SERIES.forEach((s, k) => {
    const ly = M.top + 30 + k * 20;
    out.push(`<circle cx="${W - M.right + 18}" cy="${ly - 4}" r="5" fill="${s.colour}"/>`);
    out.push(`<text x="${W - M.right + 30}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push(`<text x="16" y="${(M.top + bottom) / 2}" transform="rotate(-90 16 ${(M.top + bottom) / 2})" text-anchor="middle">latency (log scale)</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}
