// The load benchmark as a picture: p50, p90 and p99 latency per verb as grouped bars
// on a logarithmic axis (p99 is often ten times p50). A standalone SVG.

const W = 720;
const H = 400;
const M = { left: 64, right: 120, top: 40, bottom: 48 };
const SERIES = [
  ["p50", "#1f77b4"],
  ["p90", "#ff7f0e"],
  ["p99", "#d62728"],
];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
const label = (ms) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));

/** @param {{ perVerb: Record<string, { count: number, p50: number, p90: number, p99: number }>, requests: number, opts: { clients: number, watches: number }, requestsPerSecond: number, errors: number, tooManyRequests: number }} report */
export function latencyChart(report) {
  const verbs = Object.keys(report.perVerb).filter((v) => report.perVerb[v].count > 0);
  const all = verbs.flatMap((v) => SERIES.map(([k]) => report.perVerb[v][k]));
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...all))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, lo * 10)));
  const y = (ms) => H - M.bottom - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - M.top - M.bottom);
  const groupW = (W - M.left - M.right) / Math.max(1, verbs.length);
  const barW = (groupW * 0.7) / SERIES.length;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(`API latency per verb: ${report.requests} requests, ${report.opts.clients} clients, ${report.opts.watches} watches open`)}</text>`,
  );
  out.push(`<text x="${M.left}" y="34" fill="#555">${esc(`${report.requestsPerSecond.toFixed(0)} req/s, ${report.errors} errors, ${report.tooManyRequests} answered 429`)}</text>`);
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    out.push(`<line x1="${M.left}" y1="${y(t)}" x2="${W - M.right}" y2="${y(t)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t >= 1 ? t : t.toFixed(1)}</text>`);
  }
  out.push(`<text x="16" y="${(M.top + H - M.bottom) / 2}" transform="rotate(-90 16 ${(M.top + H - M.bottom) / 2})" text-anchor="middle">latency (ms, log scale)</text>`);
  verbs.forEach((v, i) => {
    const x0 = M.left + i * groupW + groupW * 0.15;
    SERIES.forEach(([k, colour], j) => {
      const ms = report.perVerb[v][k];
      const x = x0 + j * barW;
      out.push(`<rect x="${x}" y="${y(ms)}" width="${barW - 2}" height="${H - M.bottom - y(ms)}" fill="${colour}"><title>${esc(`${v} ${k}: ${label(ms)} ms`)}</title></rect>`);
      out.push(`<text x="${x + barW / 2 - 1}" y="${y(ms) - 3}" text-anchor="middle" font-size="10">${label(ms)}</text>`);
    });
    out.push(`<text x="${M.left + i * groupW + groupW / 2}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(v)}</text>`);
    out.push(`<text x="${M.left + i * groupW + groupW / 2}" y="${H - M.bottom + 30}" text-anchor="middle" fill="#555" font-size="10">${report.perVerb[v].count}</text>`);
  });
  out.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`);
  SERIES.forEach(([k, colour], j) => {
    const ly = M.top + 10 + j * 18;
    out.push(`<rect x="${W - M.right + 16}" y="${ly - 9}" width="12" height="12" fill="${colour}"/>`);
    out.push(`<text x="${W - M.right + 34}" y="${ly + 1}">${k}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}
