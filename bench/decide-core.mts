// One measurement for bench/decide.mjs, bundled and run in a child process: the
// scheduler's deciding alone (filter and score, no I/O) for a backlog of pods over
// kubelet-less nodes, as the scheduler benchmark seeds them (scheduler_perf's 4 CPU,
// 8Gi, 110 pods; 10m / 16Mi pods with the API's defaults). Each pod is assumed on its
// node before the next is decided, as the scheduling loop does within a batch.
// Prints one JSON line: { ms, decisions } where `decisions` is a hash of the chosen
// nodes in order, so two builds can be checked to decide alike (ties are broken by a
// seeded random).
/// <reference types="node" />
import { SchedulerState } from "../src/scheduler/state";
import { schedulePod } from "../src/scheduler/schedule-one";
import { makeNode } from "../src/scheduler/fixtures";
import { prepareForCreate } from "../src/registry/strategy";
import { findResource } from "../src/model/resources";
import type { Node, Pod } from "../src/model/types";

const [nodeCount, podCount] = process.argv.slice(2).map(Number);
const now = Date.now();
const defaults = { defaults: { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 }, now };
const podInfo = findResource("", "v1", "pods")!;
const nodeInfo = findResource("", "v1", "nodes")!;

const nodes = Array.from({ length: nodeCount }, (_, i) => prepareForCreate(nodeInfo, makeNode(`perf-node-${i}`, { cpu: "4", memory: "8Gi", pods: "110" }), defaults) as Node);
const pods = Array.from(
  { length: podCount },
  (_, i) =>
    prepareForCreate(
      podInfo,
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `p-${i}`, namespace: "backlog", labels: { app: "bench" } },
        spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
      } as Pod,
      defaults,
    ) as Pod,
);

/** Park-Miller: the same tie-breaks in every build. */
let seed = 1;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

const state = new SchedulerState({ now: () => Date.now() });
state.replaceAll(nodes, []);
let startIndex = 0;
let hash = 0;
const t = performance.now();
for (const pod of pods) {
  const r = schedulePod(pod, state.view.snapshot, { random, startIndex, claims: state.claims, nominatedPods: (n) => state.nominatedPods(n), pdbs: state.pdbs(), imageNodes: state.view.imageNodes });
  startIndex = r.nextStartIndex;
  if (!r.node) throw new Error(`${pod.metadata.name} was not placed: ${r.message}`);
  state.assume(pod, r.node);
  for (let i = 0; i < r.node.length; i++) hash = (Math.imul(hash, 31) + r.node.charCodeAt(i)) | 0;
}
const ms = performance.now() - t;
console.log(JSON.stringify({ ms, decisions: (hash >>> 0).toString(16) }));
