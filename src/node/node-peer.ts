// The part of a NodeAgent's RPC surface only other nodes call: a request from the
// cluster network to one of its pods. It speaks the node's own HTTP shapes
// (images/types), so it stays in src/node rather than in the control plane's contract.
import type { HttpOutcome, HttpRequest } from "./images/types";
import { nodeAgent } from "../controlplane/stubs";
import type { NodeAgentApi } from "../controlplane/node-api";

export interface NodePeerApi extends NodeAgentApi {
  /** A request from the cluster network to one of this node's pods (by pod IP). */
  podRequest(podIP: string, port: number, req: HttpRequest): Promise<HttpOutcome>;
}

/** Another node's agent, as a node sees it (the same Durable Object as nodeAgent()). */
export function nodePeer(env: Env, nodeName: string): DurableObjectStub & NodePeerApi {
  return nodeAgent(env, nodeName) as DurableObjectStub & NodePeerApi;
}
