// The failover benchmark as a picture: replacement pods over seconds since the
// failed node was detected, one colour per run; dotted = old pods evicted, dashed =
// replacements bound to a node, solid = replacements Running. A standalone SVG.

const W = 720;
const H = 400;
const M = { left: 56, right: 150, top: 36, bottom: 48 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** A "nice" axis step for `max` split in about `n` ticks. */
function tickStep(max, n) {
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

/**
 * @param {{ victim: string, series: { t: number, evicted: number, bound: number, running: number }[] }[]} runs
 * @param {number} pods replicas per run (the y axis)
 * @param {number} medianSeconds the median "detected -> Running", drawn as a marker
 * @param {string} [about] what else the title says (cluster size, settings)
 */
export function failoverPlot(runs, pods, medianSeconds, about = "") {
  const tMax = Math.max(1, ...runs.flatMap((r) => r.series.map((p) => p.t))) * 1.05;
  const x = (t) => M.left + (t / tMax) * (W - M.left - M.right);
  const y = (n) => H - M.bottom - (n / pods) * (H - M.top - M.bottom);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(`Replacements after a node failure (${pods} pods${about ? `, ${about}` : ""})`)}</text>`);

  const xs = tickStep(tMax, 8);
  for (let t = 0; t <= tMax; t += xs) {
    out.push(`<line x1="${x(t)}" y1="${M.top}" x2="${x(t)}" y2="${H - M.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${+t.toFixed(2)}</text>`);
  }
  const ys = tickStep(pods, 5);
  for (let n = 0; n <= pods; n += ys) {
    out.push(`<line x1="${M.left}" y1="${y(n)}" x2="${W - M.right}" y2="${y(n)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(n) + 4}" text-anchor="end">${n}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">seconds since the node was detected as failed</text>`);
  out.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">pods</text>`);

  // Step lines: a count holds until the next poll saw a new one.
  const steps = (series, key) => {
    let d = `M ${x(0)} ${y(0)}`;
    for (const p of series) d += ` H ${x(p.t)} V ${y(p[key])}`;
    return d;
  };
  runs.forEach((r, i) => {
    const c = COLOURS[i % COLOURS.length];
    out.push(`<path d="${steps(r.series, "evicted")}" fill="none" stroke="${c}" stroke-width="1" stroke-dasharray="1 3" opacity="0.7"/>`);
    out.push(`<path d="${steps(r.series, "bound")}" fill="none" stroke="${c}" stroke-width="1.5" stroke-dasharray="4 3" opacity="0.7"/>`);
    out.push(`<path d="${steps(r.series, "running")}" fill="none" stroke="${c}" stroke-width="2"/>`);
    const ly = M.top + 10 + i * 18;
    out.push(`<line x1="${W - M.right + 12}" y1="${ly}" x2="${W - M.right + 32}" y2="${ly}" stroke="${c}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 38}" y="${ly + 4}">run ${i + 1} (${esc(r.victim)})</text>`);
  });
  const legendY = M.top + 10 + runs.length * 18 + 8;
  out.push(`<text x="${W - M.right + 12}" y="${legendY}" fill="#555">solid: Running</text>`);
  out.push(`<text x="${W - M.right + 12}" y="${legendY + 16}" fill="#555">dashed: bound</text>`);
  out.push(`<text x="${W - M.right + 12}" y="${legendY + 32}" fill="#555">dotted: evicted</text>`);
  out.push(`<line x1="${x(medianSeconds)}" y1="${M.top}" x2="${x(medianSeconds)}" y2="${H - M.bottom}" stroke="black" stroke-dasharray="2 2"/>`);
  out.push(`<text x="${x(medianSeconds) - 4}" y="${M.top - 4}" text-anchor="end">median ${medianSeconds.toFixed(1)} s</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
