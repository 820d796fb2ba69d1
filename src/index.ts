// Worker entry: the Kubernetes API server, the apps' traffic routed by the Ingresses,
// and the Durable Object classes that make up the rest of the cluster (nodes,
// scheduler, controller manager, node lifecycle controllers, watch caches, the stores
// of persistent volumes).
import { buildApp } from "./api/app";
import { isApiRequest } from "./api/front-door";
import { ingressProxy } from "./api/ingress-proxy";
import { makeApiContext } from "./api/context";

export { NodeAgent } from "./node/node-agent";
export { Scheduler } from "./scheduler/scheduler-do";
export { ControllerManager } from "./controllers/controller-manager";
export { NodeLifecycleController } from "./controllers/node-lifecycle/node-lifecycle-controller";
export { WatchCache } from "./watch/watch-cache-do";
export { VolumeStore } from "./node/volume/volume-store";

const app = buildApp();

export default {
  fetch: (req, env, ctx) => {
    // The cluster's hosts and the API's paths are the API server's, always.
    if (isApiRequest(req, new URL(req.url), env.API_HOSTS)) return app.fetch(req, env, ctx);
    return ingressProxy(makeApiContext(env, (p) => ctx.waitUntil(p)), req);
  },
} satisfies ExportedHandler<Env>;
