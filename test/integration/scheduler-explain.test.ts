// The explain endpoint: per-node filter verdicts and per-plugin scores for a pod.
import { describe, it, expect } from "vitest";
import { callJson } from "./helpers";
import { createPod, podWithCpu, waitBound } from "./scheduler-helpers";

interface Explained {
  pod: string;
  nodeName: string | null;
  explanation: { selectedNode?: string; nodes: { name: string; feasible: boolean; score?: { plugins: { plugin: string }[] } }[] };
}

describe("scheduling explanation", () => {
  it("shows why a bound pod went where it did, and 404s an unknown pod", async () => {
    await createPod(podWithCpu("explained", "100m"));
    const bound = await waitBound("explained");
    const { status, body } = await callJson<Explained>("/edgekube/v1/namespaces/default/pods/explained/scheduling?mode=dry-run");
    expect(status).toBe(200);
    expect(body.pod).toBe("default/explained");
    expect(body.nodeName).toBe(bound.spec.nodeName);
    expect(body.explanation.nodes.length).toBeGreaterThanOrEqual(3);
    const scored = body.explanation.nodes.find((n) => n.feasible && n.score);
    expect(scored?.score?.plugins.map((p) => p.plugin)).toContain("NodeResourcesFit");
    expect((await callJson("/edgekube/v1/namespaces/default/pods/nope/scheduling")).status).toBe(404);
  });
});
