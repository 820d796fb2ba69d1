// Where a local cluster's thread went, by the part of the code it ran: a V8 CPU
// profile of the bundled worker (one file) mapped back to source files through the
// `// src/...` module comments the bundler leaves in front of each module.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OUTSIDE, sampleTime, selfTimes } from "./devtools.mjs";
import { textTable } from "./util.mjs";

/** The components a sample is charged to, outermost first on its stack. */
const COMPONENTS = ["src/api/", "src/controllers/", "src/scheduler/", "src/node/", "src/watch/", "src/controlplane/"];

/** Line number (0-based) → source module, from the bundle's module comments. */
export function moduleMap(bundleDir) {
  const entry = readdirSync(bundleDir).find((f) => f.endsWith(".js"));
  const lines = readFileSync(join(bundleDir, entry), "utf8").split("\n");
  const starts = [];
  lines.forEach((l, i) => {
    // esbuild writes the path relative to the bundle: `// ../../work/x/src/api/app.ts`.
    const m = /^\/\/ (?:\S*?\/)?((?:src|node_modules|bench)\/\S+)$/.exec(l);
    if (m) starts.push([i, m[1].replace(/^.*node_modules\//, "node_modules/")]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "(runtime)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/**
 * Busy time per component (the outermost of COMPONENTS on each sample's stack; the
 * store, registry and libraries are charged to whoever called them) and self time per
 * source file. Both sorted, largest first, in ms.
 */
export function byComponent(profile, moduleOf) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Only the bundle's frames map to source lines; the runtime's own scripts keep their names.
  const fileOf = (n) => {
    const url = n.callFrame.url;
    if (!url) return "(runtime)";
    return /worker\.js$|\.mjs$/.test(url) && !url.startsWith("cloudflare-internal") ? moduleOf(n.callFrame.lineNumber) : url;
  };
  const componentOf = new Map();
  const comp = (id) => {
    if (componentOf.has(id)) return componentOf.get(id);
    const n = byId.get(id);
    const up = parent.has(id) ? comp(parent.get(id)) : undefined;
    const file = fileOf(n);
    const mine = COMPONENTS.find((c) => file.startsWith(c));
    // The outermost wins: a component calling the store keeps the time.
    const c = up && up !== "(other)" ? up : mine ? mine.slice(4, -1) : "(other)";
    componentOf.set(id, c);
    return c;
  };
  const components = new Map();
  const files = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const n = byId.get(id);
    const fn = n.callFrame.functionName;
    const { ms, outside } = sampleTime(profile, i);
    if (outside) {
      components.set(OUTSIDE, (components.get(OUTSIDE) ?? 0) + ms);
      files.set(OUTSIDE, (files.get(OUTSIDE) ?? 0) + ms);
      continue;
    }
    if (fn === "(idle)" || fn === "(program)" || fn === "(garbage collector)") {
      if (fn !== "(idle)") components.set(fn, (components.get(fn) ?? 0) + ms);
      continue;
    }
    const c = comp(id);
    components.set(c, (components.get(c) ?? 0) + ms);
    const f = fileOf(n);
    files.set(f, (files.get(f) ?? 0) + ms);
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { components: sorted(components), files: sorted(files) };
}

/**
 * Print where a profiled thread went (functions by self time, components, source files)
 * and answer the same figures for a results file. `bundleDir` is the bench build's dist.
 */
export function printProfile(profile, bundleDir) {
  const times = selfTimes(profile);
  const total = times.reduce((a, [, v]) => a + v, 0);
  const busy = total - times.filter(([k]) => k.startsWith("(idle)")).reduce((a, [, v]) => a + v, 0);
  const pct = ([k, ms]) => [k, ms.toFixed(0), ((100 * ms) / busy).toFixed(1)];
  const fns = times.filter(([k]) => !k.startsWith("(idle)")).slice(0, 25);
  console.log("\n" + textTable([["function  file:line", "self ms", "% busy"], ...fns.map(pct)]) + "\n");
  const { components, files } = byComponent(profile, moduleMap(bundleDir));
  console.log(textTable([["component (outermost on the stack)", "ms", "% busy"], ...components.map(pct)]) + "\n");
  console.log(textTable([["source file (self)", "ms", "% busy"], ...files.slice(0, 25).map(pct)]) + "\n");
  return { totalMs: total, busyMs: busy, components: Object.fromEntries(components), files: Object.fromEntries(files.slice(0, 40)), functions: Object.fromEntries(fns) };
}
