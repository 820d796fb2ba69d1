import { describe, expect, it } from "vitest";
import { ClusterView } from "../../src/scheduler/cluster-view";
import { CycleState } from "../../src/scheduler/framework";
import { makeNode, makePod } from "../../src/scheduler/fixtures";
import { ImageLocality } from "../../src/scheduler/plugins/image-locality";
import { seededRandom } from "../../src/util/seeded-random";

const MiB = 1024 * 1024;
const IMAGES = ["nginx:1.27", "redis:7", "busybox:latest", "big:1"];

/** What the view's counts must equal: every node of the snapshot asked. */
function scanned(view: ClusterView): Map<string, number> {
  const out = new Map<string, number>();
  for (const ni of view.snapshot) for (const image of ni.images.keys()) out.set(image, (out.get(image) ?? 0) + 1);
  return out;
}

const withImages = (name: string, images: string[]) => makeNode(name, { images: images.map((n) => ({ names: [n, `docker.io/library/${n}`], sizeBytes: 100 * MiB })) });

describe("ClusterView.imageNodes (upstream's ImageStateSummary.NumNodes)", () => {
  it("counts each image name over the nodes as they come, change and go", () => {
    const view = new ClusterView();
    view.upsertNode(withImages("a", ["nginx:1.27", "redis:7"]));
    view.upsertNode(withImages("b", ["nginx:1.27"]));
    view.upsertNode(withImages("c", []));
    expect(view.imageNodes.get("nginx:1.27")).toBe(2);
    expect(view.imageNodes.get("docker.io/library/redis:7")).toBe(1);
    view.upsertNode(withImages("a", ["busybox:latest"])); // a's images replaced
    expect(view.imageNodes.get("redis:7")).toBeUndefined();
    expect(view.imageNodes.get("nginx:1.27")).toBe(1);
    view.removeNode("b");
    expect(view.imageNodes.get("nginx:1.27")).toBeUndefined();
    expect(new Map(view.imageNodes)).toEqual(scanned(view));
  });

  it("equals a scan of the snapshot after any sequence of changes", () => {
    const random = seededRandom(7);
    const view = new ClusterView();
    for (let step = 0; step < 500; step++) {
      const name = `n${Math.floor(random() * 20)}`;
      if (random() < 0.2) view.removeNode(name);
      else view.upsertNode(withImages(name, IMAGES.filter(() => random() < 0.5)));
      expect(new Map(view.imageNodes)).toEqual(scanned(view));
    }
  });

  it("gives ImageLocality the scores it gets by counting the nodes itself", () => {
    const view = new ClusterView();
    view.upsertNode(withImages("a", ["big:1"]));
    view.upsertNode(withImages("b", ["big:1", "nginx:1.27"]));
    view.upsertNode(withImages("c", []));
    const pod = makePod("p", { image: "big:1" });
    const plugin = new ImageLocality();
    const score = (state: CycleState) => {
      plugin.preScore(state, pod);
      return view.snapshot.map((ni) => plugin.score(state, pod, ni));
    };
    const counted = score(new CycleState(view.snapshot, view.imageNodes));
    expect(counted).toEqual(score(new CycleState(view.snapshot)));
    expect(counted[0]).toBeGreaterThan(0);
    expect(counted[2]).toBe(0);
  });
});
