// Cluster-operator endpoints outside the Kubernetes API (not advertised in
// discovery): minting a node's Lease token for an external kubelet, and the
// scheduler's explanation of a pod's placement.
import { Hono } from "hono";
import type { AppEnv } from "./context";
import { nodeToken } from "./node-token";

export const admin = new Hono<AppEnv>();

admin.get("/edgekube/v1/nodes/:name/token", async (c) => {
  const name = c.req.param("name");
  return c.json({ node: name, token: await nodeToken(c.env.API_TOKEN, name) });
});
