// Cluster-operator endpoints outside the Kubernetes API (not advertised in
// discovery): minting a node's Lease token for an external kubelet, and the
// scheduler's explanation of a pod's placement.
import { Hono } from "hono";
import type { AppEnv } from "./context";
import { nodeToken } from "./node-token";
import { scheduler } from "../controlplane/stubs";
import { notFound } from "../model/errors";

export const admin = new Hono<AppEnv>();

admin.get("/edgekube/v1/nodes/:name/token", async (c) => {
  const name = c.req.param("name");
  return c.json({ node: name, token: await nodeToken(c.env.API_TOKEN, name) });
});

// The scheduler's explanation of a pod's placement (what kube-scheduler-simulator
// shows): `?mode=dry-run` re-evaluates every node now instead of the recorded decision.
admin.get("/edgekube/v1/namespaces/:namespace/pods/:name/scheduling", async (c) => {
  const { namespace, name } = c.req.param();
  const mode = c.req.query("mode") === "dry-run" ? "dry-run" : "auto";
  const explanation = await scheduler(c.env).explain(namespace, name, mode);
  if (!explanation) throw notFound("pods", name);
  return c.json(explanation);
});
