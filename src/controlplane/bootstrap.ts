// The cluster as it exists on first start: the four standard namespaces and
// DEFAULT_NODE_COUNT worker nodes. Runs once per isolate, is idempotent, and only
// creates nodes on a cluster that never had its namespaces (so nodes a person deleted
// stay deleted across restarts).
import type { ApiContext } from "../api/context";
import type { KubeObject } from "../model/types";
import { prepareForCreate } from "../api/strategy";
import { findResource } from "../model/resources";
import { ApiError } from "../model/errors";
import { nodeAgent } from "./stubs";
import { DEFAULT_NODE } from "../node/node-config";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

let ready: Promise<void> | undefined;

export function ensureCluster(ctx: ApiContext): Promise<void> {
  ready ??= bootstrap(ctx).catch((e) => {
    ready = undefined;
    throw e;
  });
  return ready;
}

async function bootstrap(ctx: ApiContext): Promise<void> {
  const existing = await ctx.store.list("namespaces", {});
  const names = new Set(existing.items.map((n) => n.metadata.name));
  const firstStart = !names.has("kube-system");
  const info = findResource("", "v1", "namespaces")!;
  for (const name of SYSTEM_NAMESPACES) {
    if (names.has(name)) continue;
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
    prepareForCreate(info, ns, { now: ctx.now(), defaults: { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 } });
    try {
      await ctx.store.create("namespaces", ns);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
    }
  }
  if (!firstStart) return;
  const count = ctx.config.defaultNodeCount;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      nodeAgent(ctx.env, `node-${i + 1}`).start({
        ...DEFAULT_NODE,
        name: `node-${i + 1}`,
        cpu: ctx.config.defaultNodeCpu,
        memory: ctx.config.defaultNodeMemory,
        // Every third node runs CRI-O, so the cluster shows both runtimes.
        runtime: i % 3 === 2 ? "cri-o" : "containerd",
      }),
    ),
  );
}
