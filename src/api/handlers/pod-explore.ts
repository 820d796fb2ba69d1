// pods/log, pods/exec, pods/attach, pods/portforward and pods/proxy: answered by the kubelet
// of the pod's node; SPDY upgrades refused (stream-protocols.ts).
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { api } from "../context";
import type { RequestInfo } from "../request-info";
import type { Pod } from "../../model/types";
import { badRequest, ApiError } from "../../model/errors";
import { nodeAgent } from "../../controlplane/stubs";
import { allContainers } from "../../model/pod-containers";
import { streamRefusal, STREAM_SUBRESOURCES } from "../stream-protocols";

export const EXPLORE_SUBRESOURCES = ["log", "proxy", ...STREAM_SUBRESOURCES];

/**
 * Forwards the request to the NodeAgent Durable Object of the pod's node, which owns
 * the containers, their logs and their network namespace. The original path and
 * query travel along; the pod as stored is passed in a header so the kubelet answers
 * for exactly this pod instance.
 */
export async function podExplore(c: Context<AppEnv>, ri: RequestInfo): Promise<Response> {
  const ctx = api(c);
  const req = c.req.raw;
  // proxy names may be "name:port" or "scheme:name:port".
  const podName = ri.subresource === "proxy" ? proxyPodName(ri.name!) : ri.name!;
  const pod = (await ctx.store.mustGet("pods", ri.namespace, podName)) as Pod;
  checkContainer(ri.subresource ?? "", new URL(req.url).searchParams.get("container"), pod);
  const refusal = streamRefusal(req, ri.subresource ?? "");
  if (refusal) throw refusal;
  return forwardToKubelet(ctx.env, req, pod, ri.subresource ?? "", ri.subresource === "proxy" ? ri.name! : "", ri.rest ?? "");
}

/** Hand a pod subresource request to the NodeAgent that runs the pod. */
export async function forwardToKubelet(env: Env, req: Request, pod: Pod, subresource: string, proxyTarget: string, rest: string): Promise<Response> {
  if (!pod.spec.nodeName) {
    throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  }
  const headers = new Headers(req.headers);
  // The caller's credentials stop at the API server, as upstream's authenticator drops
  // them once checked: neither the kubelet nor a proxied pod ever sees the token.
  headers.delete("authorization");
  headers.set("x-edgekube-pod", JSON.stringify(pod));
  headers.set("x-edgekube-subresource", subresource);
  headers.set("x-edgekube-proxy-target", proxyTarget);
  headers.set("x-edgekube-proxy-path", rest);
  const forwarded = new Request(req.url, { method: req.method, headers, body: req.body, redirect: "manual" });
  const agent = nodeAgent(env, pod.spec.nodeName);
  try {
    return await agent.fetch(forwarded);
  } catch (e) {
    throw new ApiError(503, "ServiceUnavailable", `error talking to the kubelet on node ${pod.spec.nodeName}: ${(e as Error).message}`);
  }
}

/**
 * The API server checks the container an exec, attach or log names before any upgrade
 * (streamLocation's validateContainer), so a client that falls back from WebSocket to
 * SPDY hears about the container, not about the protocol.
 */
function checkContainer(subresource: string, container: string | null, pod: Pod): void {
  if (!container || !["exec", "attach", "log"].includes(subresource)) return;
  if (!allContainers(pod.spec).some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
}

function proxyPodName(target: string): string {
  const parts = target.split(":");
  if (parts.length === 3) return parts[1];
  return parts[0];
}
