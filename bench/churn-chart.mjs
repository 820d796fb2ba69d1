// The churn benchmark as a picture: each `kubectl get nodes` sent during a roll, at the
// second it was sent (x) and how long its answer took (y, log scale), one panel per
// result (e.g. before and after a change), every roll of a result in it; the `set
// image` answer marked on each roll. A standalone SVG.

const W = 860;
const PANEL_H = 260;
const M = { left: 64, right: 170, top: 46, bottom: 40 };
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** @param {{ label?: string, nodes: number, pods: number, runs: { getNodes: { at: number, ms?: number }[], setImage: { ms: number }, seconds?: number }[] }[]} results */
export function churnChart(results) {
  const all = results.flatMap((r) => r.runs.flatMap((run) => run.getNodes.filter((x) => x.ms !== undefined).map((x) => x.ms)));
  const lo = 10;
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 1000)));
  const tMax = Math.max(10, ...results.flatMap((r) => r.runs.map((run) => Math.max(run.seconds ?? 0, ...run.getNodes.map((x) => x.at + (x.ms ?? 0) / 1000)))));
  const plotW = W - M.left - M.right;
  const H = M.top + results.length * PANEL_H + M.bottom - 20;
  const x = (s) => M.left + (s / tMax) * plotW;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  const first = results[0];
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(`kubectl get nodes during a rolling update of ${first.pods} pods on ${first.nodes} nodes`)}</text>`);
  out.push(`<text x="${M.left}" y="36" fill="#555">${esc("one request sent every second (a second is skipped while 60 wait); x: when sent, y: its answer's latency; ◆ set image answered")}</text>`);
  results.forEach((r, p) => {
    const top = M.top + p * PANEL_H;
    const bottom = top + PANEL_H - 50;
    const y = (ms) => bottom - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (bottom - top - 14);
    out.push(`<text x="${M.left}" y="${top + 8}" font-weight="bold">${esc(r.label || `result ${p + 1}`)}</text>`);
    for (let t = lo; t <= hi * 1.0001; t *= 10) {
      out.push(`<line x1="${M.left}" y1="${y(t)}" x2="${W - M.right}" y2="${y(t)}" stroke="#eee"/>`);
      out.push(`<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`);
    }
    const step = tMax > 600 ? 120 : tMax > 200 ? 60 : tMax > 60 ? 20 : 10;
    for (let t = 0; t <= tMax; t += step) {
      out.push(`<line x1="${x(t)}" y1="${bottom}" x2="${x(t)}" y2="${bottom + 4}" stroke="#333"/>`);
      out.push(`<text x="${x(t)}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
    }
    out.push(`<line x1="${M.left}" y1="${bottom}" x2="${W - M.right}" y2="${bottom}" stroke="#333"/>`);
    out.push(`<text x="${M.left + plotW / 2}" y="${bottom + 30}" text-anchor="middle" fill="#555">seconds since set image</text>`);
    r.runs.forEach((run, i) => {
      const colour = COLOURS[i % COLOURS.length];
      const pts = run.getNodes.filter((s) => s.ms !== undefined).map((s) => `${x(s.at).toFixed(1)},${y(s.ms).toFixed(1)}`);
      out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${colour}" stroke-width="1.2" opacity="0.85"/>`);
      const si = run.setImage.ms;
      out.push(`<path d="M ${x(0)} ${y(si) - 6} l 6 6 l -6 6 l -6 -6 z" fill="${colour}" stroke="#000" stroke-width="0.5"><title>${esc(`set image answered after ${si} ms`)}</title></path>`);
      if (run.seconds) out.push(`<line x1="${x(run.seconds)}" y1="${top + 12}" x2="${x(run.seconds)}" y2="${bottom}" stroke="${colour}" stroke-dasharray="3 3"/>`);
      const ly = top + 20 + i * 34;
      out.push(`<rect x="${W - M.right + 12}" y="${ly - 9}" width="12" height="12" fill="${colour}"/>`);
      out.push(`<text x="${W - M.right + 30}" y="${ly + 1}">${esc(`roll ${i + 1}: ${run.seconds ? `${run.seconds.toFixed(0)} s` : "unfinished"}`)}</text>`);
      out.push(`<text x="${W - M.right + 30}" y="${ly + 15}" fill="#555" font-size="10">${esc(`set image ${(si / 1000).toFixed(1)} s`)}</text>`);
    });
  });
  out.push(`<text x="16" y="${H / 2}" transform="rotate(-90 16 ${H / 2})" text-anchor="middle">latency (log scale)</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}
