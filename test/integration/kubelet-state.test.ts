// The kubelet's pod records: kept in the object's memory once read, written through to
// its storage, and read again from storage by a new instance (after an eviction).
import { describe, it, expect } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { Pod } from "../../src/model/types";
import { KubeletState, type PodRecord } from "../../src/node/kubelet/state";
import { agentOf } from "./node-helpers";

const record = (uid: string): PodRecord => ({ uid, namespace: "default", name: `pod-${uid}`, pod: { metadata: { uid, name: `pod-${uid}` } } as Pod, admission: "admitted", containers: {} });

describe("the kubelet's pod records", () => {
  it("are read once, written through, and what storage has outlives the instance", async () => {
    await runInDurableObject(agentOf("kstate-1"), (_inst, state) => {
      const kv = state.storage.kv;
      kv.put("kl/pod/c", record("c"));
      const kept = new KubeletState(kv);
      kept.putPod(record("b"));
      kept.putPod(record("a"));
      // In storage's order, the one already there included.
      expect(kept.pods().map((r) => r.uid)).toEqual(["a", "b", "c"]);

      // The kept objects themselves: what a sync changes is seen before it is written...
      kept.pod("a")!.podIP = "10.244.0.9";
      expect(kept.pods()[0].podIP).toBe("10.244.0.9");
      expect(kv.get<PodRecord>("kl/pod/a")!.podIP).toBeUndefined();
      // ...and storage has it once it is.
      kept.putPod(kept.pod("a")!);
      expect(kv.get<PodRecord>("kl/pod/a")!.podIP).toBe("10.244.0.9");

      kv.put("kl/ev/b/x", { count: 1 });
      kept.deletePod("b");
      expect([kept.pod("b"), kv.get("kl/pod/b"), kv.get("kl/ev/b/x")]).toEqual([undefined, undefined, undefined]);

      const reloaded = new KubeletState(kv);
      expect(reloaded.pods().map((r) => [r.uid, r.podIP])).toEqual([["a", "10.244.0.9"], ["c", undefined]]);
    });
  });
});
