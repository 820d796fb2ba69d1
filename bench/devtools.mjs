// The V8 CPU profiler of a local cluster's worker isolate, over the DevTools protocol
// (wrangler dev's inspector), shared by bench/profile.mjs and bench/dashboard.mjs.

/** A minimal DevTools protocol client: send(method, params) -> result. */
export async function devtools(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  // The user worker's isolate (wrangler also lists its own internal ones).
  const target = targets.find((t) => /core:user/.test(t.title ?? "") || /edgekube/.test(t.title ?? "")) ?? targets[0];
  // wrangler's inspector proxy only accepts connections that say where they come from
  // (Node's WebSocket takes headers as an undici extension).
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: `http://127.0.0.1:${inspectorPort}` } });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let nextId = 1;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  };
  return {
    title: target.title,
    send(method, params = {}) {
      const id = nextId++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => pending.set(id, (msg) => (msg.error ? reject(new Error(msg.error.message)) : resolve(msg.result))));
    },
    close: () => ws.close(),
  };
}

/** Attach and start sampling (every 200 µs); stop() answers the profile. */
export async function startProfiler(inspectorPort) {
  const dt = await devtools(inspectorPort);
  await dt.send("Profiler.enable");
  await dt.send("Profiler.setSamplingInterval", { interval: 200 });
  await dt.send("Profiler.start");
  return {
    title: dt.title,
    async stop() {
      const { profile } = await dt.send("Profiler.stop");
      dt.close();
      return profile;
    },
  };
}

/**
 * The profiler samples the worker's isolate only while the thread runs it. A gap between
 * two samples longer than this (15 sampling intervals) is time the shared thread spent
 * elsewhere: in Miniflare's D1 database object (SQLite and its JavaScript), in the
 * runtime's own workers. Charged to the sample after it, the gap would read as that
 * function's self time (the JSON.parse of D1's answer, mostly); it is counted apart.
 */
export const OUTSIDE_GAP_MS = 3;
export const OUTSIDE = "(outside the worker's isolate)";

/** Sample i's time (ms) and whether it is a gap outside the isolate. */
export function sampleTime(profile, i) {
  const ms = (profile.timeDeltas[i] ?? 0) / 1000;
  return { ms, outside: ms > OUTSIDE_GAP_MS };
}

/** Self time per function (ms), from a V8 CPU profile; the gaps as OUTSIDE. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const time = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const { ms, outside } = sampleTime(profile, i);
    let key = OUTSIDE;
    if (!outside) {
      const f = byId.get(profile.samples[i]).callFrame;
      const file = (f.url || "").split("/").pop();
      key = `${f.functionName || "(anonymous)"}  ${file}:${f.lineNumber + 1}`;
    }
    time.set(key, (time.get(key) ?? 0) + ms);
  }
  return [...time.entries()].sort((a, b) => b[1] - a[1]);
}
