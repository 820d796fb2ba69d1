// The node's answers to pods/log, pods/exec, pods/attach, pods/portforward and pods/proxy, which the API worker
// forwards to this node's Durable Object with the pod (as stored) in a header. Every
// failure is a Kubernetes Status.
import type { Pod } from "../../model/types";
import { ApiError } from "../../model/errors";
import type { Kubelet } from "../kubelet/kubelet";
import { podAttach } from "./attach";
import { podExec } from "./exec";
import type { ExecTiming } from "./exec-channels";
import { podLogs } from "./logs";
import { podProxy } from "./proxy";
import { podPortForward } from "./portforward/handler";
import { statusResponse, toApiError } from "./status";

interface ExploreDeps {
  kubelet: Kubelet;
  waitUntil(p: Promise<unknown>): void;
  execTiming: ExecTiming;
}

export async function handleExplore(req: Request, deps: ExploreDeps): Promise<Response> {
  try {
    const podHeader = req.headers.get("x-edgekube-pod");
    if (!podHeader) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    const pod = JSON.parse(podHeader) as Pod;
    switch (req.headers.get("x-edgekube-subresource")) {
      case "log":
        return await podLogs(req, pod, deps.kubelet, deps.waitUntil);
      case "exec":
        return podExec(req, pod, deps.kubelet, { waitUntil: deps.waitUntil, timing: deps.execTiming });
      case "attach":
        return podAttach(req, pod, deps.kubelet, { waitUntil: deps.waitUntil, timing: deps.execTiming });
      case "portforward":
        return podPortForward(req, pod, deps.kubelet, { waitUntil: deps.waitUntil, frameGapMs: deps.execTiming.frameGapMs, closeGapMs: deps.execTiming.closeGapMs });
      case "proxy":
        return await podProxy(req, pod, deps.kubelet);
      default:
        throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    }
  } catch (e) {
    if (!(e instanceof ApiError)) console.error("kubelet explore request failed:", e);
    return statusResponse(toApiError(e));
  }
}
