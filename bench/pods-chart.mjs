// The pods benchmark as a picture: p50 and p99 (median of the runs, the p99's min-max as
// a whisker) of each latency figure as grouped bars on a logarithmic axis, the goal of
// a figure as a dashed line over its group; pods/s and the work per pod in the heading.
// A standalone SVG.

const W = 860;
const H = 420;
const M = { left: 64, right: 120, top: 62, bottom: 64 };
const SERIES = [
  ["p50", "#1f77b4"],
  ["p99", "#d62728"],
];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
const label = (ms) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));

/** The groups a result has: [name, p50 stat, p99 stat, goal ms or undefined]. */
function groups(result) {
  const out = [];
  for (const [limits, c] of Object.entries(result.clusters)) {
    const s = c.summary ?? {};
    if (s.toRunningP99Ms) out.push([`create→Running, limits ${limits}`, s.toRunningP50Ms, s.toRunningP99Ms, undefined]);
    if (s.churnToRunningP99Ms) out.push([`churn ${result.options.churnRate}/s create→Running`, s.churnToRunningP50Ms, s.churnToRunningP99Ms, 500]);
    if (s.getP99Ms) out.push([`GET node, limits ${limits}`, s.getP50Ms, s.getP99Ms, 20]);
    if (s.postP99Ms) out.push([`POST pod, limits ${limits}`, s.postP50Ms, s.postP99Ms, 50]);
  }
  return out;
}

/** @param {{ nodes: number, options: { clients: number, pods: number, churnRate: number }, clusters: Record<string, { summary?: Record<string, { median: number, min: number, max: number }> }>, loadavgAtStart: number[], label?: string }} result */
export function podsChart(result) {
  const gs = groups(result);
  const all = gs.flatMap(([, a, b, goal]) => [a?.median, b?.median, b?.max, goal].filter((x) => x > 0));
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...all, 10))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, lo * 10)));
  const y = (ms) => H - M.bottom - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - M.top - M.bottom);
  const groupW = (W - M.left - M.right) / Math.max(1, gs.length);
  const barW = (groupW * 0.6) / SERIES.length;

  const rates = Object.entries(result.clusters)
    .filter(([, c]) => c.summary?.podsPerSecond)
    .map(([l, c]) => `${c.summary.podsPerSecond.median.toFixed(0)} pods/s to Running at limits ${l}`);
  const work = Object.values(result.clusters).find((c) => c.summary?.statementsPerPod)?.summary;
  const sub = [
    ...rates,
    work ? `${work.statementsPerPod.median.toFixed(1)} D1 statements, ${work.roundTripsPerPod.median.toFixed(1)} round trips, ${work.cpuRatioToRawRow.median.toFixed(0)}× a raw D1 row's CPU per pod` : undefined,
  ].filter(Boolean);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(`Pods at ${result.nodes} nodes, ${result.options.clients} clients${result.label ? ` (${result.label})` : ""}`)}</text>`);
  out.push(`<text x="${M.left}" y="36" fill="#555">${esc(sub.join("; "))}</text>`);
  out.push(`<text x="${M.left}" y="50" fill="#555" font-size="10">${esc(`bars: median of the runs; whisker: p99 min-max; dashed: goal; load average at start ${result.loadavgAtStart.join(" ")}`)}</text>`);
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    out.push(`<line x1="${M.left}" y1="${y(t)}" x2="${W - M.right}" y2="${y(t)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t >= 1000 ? `${t / 1000} s` : `${t >= 1 ? t : t.toFixed(1)} ms`}</text>`);
  }
  out.push(`<text x="16" y="${(M.top + H - M.bottom) / 2}" transform="rotate(-90 16 ${(M.top + H - M.bottom) / 2})" text-anchor="middle">latency (log scale)</text>`);
  gs.forEach(([name, p50, p99, goal], i) => {
    const x0 = M.left + i * groupW + groupW * 0.2;
    [p50, p99].forEach((stat, j) => {
      if (!stat) return;
      const [, colour] = SERIES[j];
      const ms = stat.median;
      const x = x0 + j * barW;
      out.push(`<rect x="${x}" y="${y(ms)}" width="${barW - 2}" height="${H - M.bottom - y(ms)}" fill="${colour}"><title>${esc(`${name} ${SERIES[j][0]}: ${label(ms)} ms (${label(stat.min)}-${label(stat.max)})`)}</title></rect>`);
      out.push(`<text x="${x + barW / 2 - 1}" y="${y(stat.max) - 4}" text-anchor="middle" font-size="10">${label(ms)}</text>`);
      if (j === 1 && stat.max > stat.min) out.push(`<line x1="${x + barW / 2 - 1}" y1="${y(stat.min)}" x2="${x + barW / 2 - 1}" y2="${y(stat.max)}" stroke="#333"/>`);
    });
    if (goal) out.push(`<line x1="${M.left + i * groupW + 4}" y1="${y(goal)}" x2="${M.left + (i + 1) * groupW - 4}" y2="${y(goal)}" stroke="#2ca02c" stroke-width="2" stroke-dasharray="5 3"><title>${esc(`goal: p99 ≤ ${goal} ms`)}</title></line>`);
    const words = name.split(", ");
    words.forEach((w, k) => out.push(`<text x="${M.left + i * groupW + groupW / 2}" y="${H - M.bottom + 16 + k * 13}" text-anchor="middle" font-size="${k ? 10 : 11}" ${k ? 'fill="#555"' : ""}>${esc(w)}</text>`));
  });
  out.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`);
  [...SERIES, ["goal", "#2ca02c"]].forEach(([k, colour], j) => {
    const ly = M.top + 10 + j * 18;
    out.push(`<rect x="${W - M.right + 16}" y="${ly - 9}" width="12" height="12" fill="${colour}"/>`);
    out.push(`<text x="${W - M.right + 34}" y="${ly + 1}">${k}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}
