// The scheduler benchmark as a picture: backlog throughput (pods bound per second) per
// cluster size and kind of node (real kubelets or kubelet-less), one bar per series
// (result files whose labels start alike, e.g. "before" and "after" a change, or the
// default client limit), the bar at the median of its runs with a whisker from the
// slowest to the fastest run; the target marked per size. A standalone SVG.
//
// `npm exec -- node bench/scheduler-chart.mjs a.json b.json ...` writes
// bench/results/scheduler-<time>.svg from bench/scheduler.mjs result files.
import { readFileSync, writeFileSync } from "node:fs";
import { resultFile } from "./util.mjs";

const W = 880;
const H = 420;
const M = { left: 64, right: 250, top: 52, bottom: 56 };
const COLOURS = ["#9e9e9e", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"];
/** Pods per second the scheduler should reach at each size (this 2-core machine, one JS thread). */
const TARGETS = { 1000: 1000, 5000: 700 };

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

const groupName = (z) => `${z.nodes} nodes, ${z.kubelets === "none" ? "kubelet-less" : "with kubelets"}`;

/** @param {{ label: string, sizes: { nodes: number, kubelets: string, pps: number[], rawInsertsPerSecond: number }[] }[]} series */
export function schedulerChart(series, pods) {
  const byName = new Map(series.flatMap((s) => s.sizes).map((z) => [groupName(z), z]));
  const groups = [...byName.keys()].sort((a, b) => byName.get(a).nodes - byName.get(b).nodes || a.localeCompare(b));
  const top = Math.max(...series.flatMap((s) => s.sizes.flatMap((z) => z.pps)), ...groups.map((g) => TARGETS[byName.get(g).nodes] ?? 0)) * 1.15;
  const step = top > 1500 ? 500 : top > 600 ? 200 : top > 250 ? 100 : 50;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const y = (v) => M.top + plotH - (v / top) * plotH;
  const groupW = plotW / groups.length;
  const barW = Math.min(60, (groupW * 0.8) / series.length);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(`Scheduler throughput: a backlog of ${pods} pending pods bound`)}</text>`);
  out.push(`<text x="${M.left}" y="36" fill="#555">${esc("pods/s, bar = median of the runs, whisker = slowest..fastest run, ms = per pod; dashed = target")}</text>`);
  for (let v = 0; v <= top; v += step) {
    out.push(`<line x1="${M.left}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  groups.forEach((name, g) => {
    const n = byName.get(name).nodes;
    const x0 = M.left + g * groupW + (groupW - barW * series.length) / 2;
    const target = TARGETS[n];
    if (target) {
      out.push(`<line x1="${x0 - 8}" y1="${y(target)}" x2="${x0 + barW * series.length + 8}" y2="${y(target)}" stroke="#d62728" stroke-dasharray="5 3"/>`);
      out.push(`<text x="${x0 + barW * series.length + 10}" y="${y(target) + 4}" fill="#d62728" font-size="10">${target}/s</text>`);
    }
    series.forEach((s, i) => {
      const z = s.sizes.find((q) => groupName(q) === name);
      if (!z || z.pps.length === 0) return;
      const sorted = [...z.pps].sort((a, b) => a - b);
      const med = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      const x = x0 + i * barW;
      const colour = COLOURS[i % COLOURS.length];
      out.push(`<rect x="${x + 2}" y="${y(med)}" width="${barW - 4}" height="${y(0) - y(med)}" fill="${colour}"><title>${esc(`${s.label}, ${n} nodes: median ${med.toFixed(0)} pods/s (${sorted.map((v) => v.toFixed(0)).join(", ")})`)}</title></rect>`);
      const cx = x + barW / 2;
      out.push(`<line x1="${cx}" y1="${y(sorted[0])}" x2="${cx}" y2="${y(sorted[sorted.length - 1])}" stroke="#000"/>`);
      for (const v of [sorted[0], sorted[sorted.length - 1]]) out.push(`<line x1="${cx - 5}" y1="${y(v)}" x2="${cx + 5}" y2="${y(v)}" stroke="#000"/>`);
      out.push(`<text x="${cx}" y="${y(sorted[sorted.length - 1]) - 6}" text-anchor="middle" font-size="11">${med.toFixed(0)}</text>`);
      out.push(`<text x="${cx}" y="${y(0) + 28}" text-anchor="middle" font-size="9" fill="#555">${esc(`${(1000 / med).toFixed(1)} ms`)}</text>`);
    });
    out.push(`<text x="${M.left + g * groupW + groupW / 2}" y="${y(0) + 16}" text-anchor="middle">${esc(name)}</text>`);
  });
  out.push(`<line x1="${M.left}" y1="${y(0)}" x2="${W - M.right}" y2="${y(0)}" stroke="#333"/>`);
  series.forEach((s, i) => {
    const ly = M.top + 10 + i * 40;
    out.push(`<rect x="${W - M.right + 14}" y="${ly - 9}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`);
    out.push(`<text x="${W - M.right + 32}" y="${ly + 1}">${esc(s.label)}</text>`);
    const raw = s.sizes.map((z) => z.rawInsertsPerSecond).filter(Number.isFinite).sort((a, b) => a - b);
    if (raw.length) out.push(`<text x="${W - M.right + 32}" y="${ly + 15}" fill="#555" font-size="10">${esc(`raw D1 insert: ${Math.round(raw[0])}-${Math.round(raw[raw.length - 1])} rows/s`)}</text>`);
  });
  out.push(`<text x="16" y="${M.top + plotH / 2}" transform="rotate(-90 16 ${M.top + plotH / 2})" text-anchor="middle">pods bound per second</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}

/** bench/scheduler.mjs result files as series: files whose labels agree up to the first comma are one series. */
export function seriesOf(files) {
  const out = new Map();
  for (const json of files) {
    const label = (json.label || json.date).split(",")[0] + (json.client?.mode === "defaults" ? ", default client QPS 50/100" : "");
    const s = out.get(label) ?? { label, pods: json.options.pods, sizes: [] };
    for (const r of json.results) {
      if (r.error) continue;
      const kubelets = r.kubelets ?? "real";
      const pps = r.runs.map((run) => run.backlog.podsPerSecond);
      // The runs of one series and size in several files (alternating rounds) are pooled.
      const same = s.sizes.find((q) => q.nodes === r.nodes && q.kubelets === kubelets);
      if (same) same.pps.push(...pps);
      else s.sizes.push({ nodes: r.nodes, kubelets, pps, rawInsertsPerSecond: r.median.rawInsertsPerSecond });
    }
    out.set(label, s);
  }
  return [...out.values()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const series = seriesOf(process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8"))));
  if (series.length === 0) throw new Error("usage: scheduler-chart.mjs result.json ...");
  const file = resultFile("scheduler", "svg");
  writeFileSync(file, schedulerChart(series, series[0].pods) + "\n");
  console.log(file.pathname);
}
