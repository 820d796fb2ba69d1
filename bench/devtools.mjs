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

/** Self time per function (ms), from a V8 CPU profile. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const time = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const f = node.callFrame;
    const file = (f.url || "").split("/").pop();
    const key = `${f.functionName || "(anonymous)"}  ${file}:${f.lineNumber + 1}`;
    time.set(key, (time.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  return [...time.entries()].sort((a, b) => b[1] - a[1]);
}
