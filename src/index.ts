// Worker entry: the Kubernetes API server, and the Durable Object classes that make
// up the rest of the cluster (nodes, scheduler, controller manager, node lifecycle controllers,
// watch caches, the stores of persistent volumes).
import { buildApp } from "./api/app";

export { NodeAgent } from "./node/node-agent";
export { Scheduler } from "./scheduler/scheduler-do";
export { ControllerManager } from "./controllers/controller-manager";
export { NodeLifecycleController } from "./controllers/node-lifecycle/node-lifecycle-controller";
export { WatchCache } from "./watch/watch-cache-do";
export { VolumeStore } from "./node/volume/volume-store";

const app = buildApp();

export default {
  fetch: (req, env, ctx) => app.fetch(req, env, ctx),
} satisfies ExportedHandler<Env>;
