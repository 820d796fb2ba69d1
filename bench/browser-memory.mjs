// What the dashboard costs the browser: the page's JavaScript heap and DOM size as
// Chromium's own counters give them (DevTools protocol Performance.getMetrics), and
// the memory of the renderer process that runs the page (/proc: resident now and
// its peak), found among the processes of the browser started with `profileDir`.
import { readFileSync, readdirSync } from "node:fs";

/** @param {import("playwright-core").Page} page */
export async function pageMetrics(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const { metrics } = await cdp.send("Performance.getMetrics");
  await cdp.detach();
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return { jsHeapUsedMiB: m.JSHeapUsedSize / 2 ** 20, jsHeapTotalMiB: m.JSHeapTotalSize / 2 ** 20, domNodes: m.Nodes, layoutCount: m.LayoutCount };
}

function proc(pid) {
  try {
    // Chromium rewrites its children's argv (setproctitle): one string with spaces.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { pid: Number(pid), ppid: kib("PPid"), cmdline, rssKiB: kib("VmRSS"), hwmKiB: kib("VmHWM") };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The renderer of the page, in the browser whose profile is `profileDir`: resident and peak MiB. */
export function rendererMemory(profileDir) {
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(proc).filter((p) => p !== undefined);
  const root = all.find((p) => p.cmdline.includes(`--user-data-dir=${profileDir}`) && !p.cmdline.includes("--type="));
  if (!root) return undefined;
  const family = new Set([root.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (family.has(p.pid) || !family.has(p.ppid)) continue;
      family.add(p.pid);
      grew = true;
    }
  }
  const renderers = all.filter((p) => family.has(p.pid) && p.cmdline.includes("--type=renderer"));
  // The page's renderer is the largest (the others hold a blank tab or nothing yet);
  // resident sizes count shared pages in each process, so they are not summed.
  const page = renderers.sort((a, b) => b.rssKiB - a.rssKiB)[0];
  return { renderers: renderers.length, rssMiB: (page?.rssKiB ?? 0) / 1024, peakMiB: (page?.hwmKiB ?? 0) / 1024, allRenderersRssMiB: renderers.map((p) => p.rssKiB / 1024) };
}
