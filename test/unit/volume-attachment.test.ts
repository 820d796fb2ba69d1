// ReadWriteOnce and fencing as the volume store decides them (attachment.ts): one node
// at a time, a new generation for each new node, and writes only from the attached
// node at its generation.
import { describe, it, expect } from "vitest";
import { EMPTY_VOLUME, checkWrite, decideAttach, detach, usersToCheck, type VolumeState } from "../../src/node/volume/attachment";

const pod = (name: string, uid = `uid-${name}`) => ({ namespace: "default", name, uid });
const held = (node: string, generation: number, ...pods: string[]): VolumeState => ({ generation, attachment: { node, generation, pods: pods.map((p) => pod(p)) } });

describe("attach", () => {
  it.each<{ name: string; state: VolumeState; node: string; pod: string; alive: string[]; want: string }>([
    { name: "a free volume attaches at generation 1", state: EMPTY_VOLUME, node: "n1", pod: "a", alive: [], want: "grant n1@1 [a]" },
    { name: "a volume detached before attaches at the next generation", state: { generation: 3, attachment: null }, node: "n2", pod: "b", alive: [], want: "grant n2@4 [b]" },
    { name: "a second pod on the same node joins at the same generation", state: held("n1", 2, "a"), node: "n1", pod: "b", alive: [], want: "grant n1@2 [a,b]" },
    { name: "the same pod again changes nothing", state: held("n1", 2, "a"), node: "n1", pod: "a", alive: [], want: "grant n1@2 [a]" },
    { name: "another node is refused while the holder's pod exists", state: held("n1", 2, "a"), node: "n2", pod: "b", alive: ["a"], want: "refuse n1" },
    { name: "another node takes over once the holder's pods are gone (fencing n1)", state: held("n1", 2, "a"), node: "n2", pod: "b", alive: [], want: "grant n2@3 [b]" },
  ])("$name", ({ state, node, pod: p, alive, want }) => {
    const d = decideAttach("pvc-1", state, node, pod(p), alive.map((a) => pod(a)));
    const got = d.kind === "refuse" ? `refuse ${d.holder}` : `grant ${d.state.attachment!.node}@${d.state.generation} [${d.state.attachment!.pods.map((x) => x.name).join(",")}]`;
    expect(got).toBe(want);
    if (d.kind === "refuse") expect(d.message).toBe('Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can\'t be attached to another');
  });

  it("asks about the holder's pods only when another node wants the volume", () => {
    expect(usersToCheck(held("n1", 1, "a"), "n1")).toEqual([]);
    expect(usersToCheck(held("n1", 1, "a"), "n2")).toEqual([pod("a")]);
    expect(usersToCheck(EMPTY_VOLUME, "n2")).toEqual([]);
  });
});

describe("detach", () => {
  it("keeps the attachment while a pod of the node uses it; ignores other nodes", () => {
    const two = held("n1", 2, "a", "b");
    expect(detach(two, "n1", "uid-a")).toEqual(held("n1", 2, "b"));
    expect(detach(held("n1", 2, "b"), "n1", "uid-b")).toEqual({ generation: 2, attachment: null });
    expect(detach(two, "n2", "uid-a")).toBe(two);
  });
});

describe("fencing: checkWrite", () => {
  it.each<{ name: string; state: VolumeState; node: string; generation: number; ok: boolean; message?: string }>([
    { name: "the attached node at its generation", state: held("n2", 3, "b"), node: "n2", generation: 3, ok: true },
    {
      name: "the old node at its old generation, after the volume moved",
      state: held("n2", 3, "b"),
      node: "n1",
      generation: 2,
      ok: false,
      message: 'volume "pvc-1" is attached to node "n2" at generation 3: write from node "n1" at generation 2 refused (fenced)',
    },
    { name: "the attached node with a stale generation (a pod from before a re-attach)", state: held("n1", 3, "a"), node: "n1", generation: 1, ok: false },
    { name: "any node once detached", state: { generation: 3, attachment: null }, node: "n1", generation: 3, ok: false, message: 'volume "pvc-1" is not attached: write from node "n1" at generation 3 refused' },
  ])("$name", ({ state, node, generation, ok, message }) => {
    const v = checkWrite("pvc-1", state, node, generation);
    expect(v.ok).toBe(ok);
    if (message) expect(!v.ok && v.message).toBe(message);
  });
});
