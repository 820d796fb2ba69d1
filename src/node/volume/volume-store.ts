// One PersistentVolume's storage, as a network disk: a Durable Object of its own
// (named after the volume) holding the volume's files, so they outlive the pods that
// wrote them and the nodes those ran on, and attach wherever the next pod lands.
// The node that mounts it keeps a working copy in its sandbox and writes the whole
// volume back here after changes, with the generation it attached at (attachment.ts:
// fencing). Large files are stored in chunks, as the runtime stores them.
import { DurableObject } from "cloudflare:workers";
import type { AttachResult, VolumeFiles, VolumeStoreApi, VolumeUser, WriteResult } from "../../controlplane/volume-api";
import type { Pod } from "../../model/types";
import { ObjectStore } from "../../store/store";
import { ChunkStore } from "../runtime/file-chunks";
import type { FileMap } from "../runtime/fs";
import type { StoredFileMap } from "../runtime/records";
import { KvRuntimeStorage } from "../kubelet/kv-storage";
import { EMPTY_VOLUME, checkWrite, decideAttach, detach, usersToCheck, type VolumeState } from "./attachment";

const STATE = "state";
const FILES = "files";
const OWNER = "vol";
/** Attempts at an attach whose state changed while the holder's pods were looked up. */
const ATTACH_ATTEMPTS = 5;

export class VolumeStore extends DurableObject<Env> implements VolumeStoreApi {
  private chunkStore: ChunkStore | undefined;

  private state(): VolumeState {
    return this.ctx.storage.kv.get<VolumeState>(STATE) ?? EMPTY_VOLUME;
  }

  private chunks(): ChunkStore {
    return (this.chunkStore ??= new ChunkStore(new KvRuntimeStorage(this.ctx.storage.kv), "volume"));
  }

  private async files(): Promise<VolumeFiles> {
    const stored = this.ctx.storage.kv.get<StoredFileMap>(FILES) ?? {};
    return (await this.chunks().load(OWNER, stored)) as VolumeFiles;
  }

  /** Which of `users` still exist as those very pods (same uid) in the API. */
  private async alive(users: readonly VolumeUser[]): Promise<VolumeUser[]> {
    const store = new ObjectStore(this.env.DB);
    const out: VolumeUser[] = [];
    for (const u of users) {
      const pod = (await store.get("pods", u.namespace, u.name)) as Pod | null;
      if (pod && pod.metadata.uid === u.uid) out.push(u);
    }
    return out;
  }

  async attach(volume: string, node: string, pod: VolumeUser): Promise<AttachResult> {
    for (let attempt = 1; ; attempt++) {
      const before = this.state();
      const check = usersToCheck(before, node);
      const alive = check.length ? await this.alive(check) : [];
      // The lookup let other calls in: decide on the state it was made for.
      const now = this.state();
      if (JSON.stringify(now) !== JSON.stringify(before) && attempt < ATTACH_ATTEMPTS) continue;
      const decision = decideAttach(volume, now, node, pod, alive);
      if (decision.kind === "refuse") return { attached: false, holder: decision.holder, message: decision.message };
      this.ctx.storage.kv.put(STATE, decision.state);
      return { attached: true, generation: decision.state.generation, files: await this.files() };
    }
  }

  async detach(_volume: string, node: string, podUid: string): Promise<void> {
    this.ctx.storage.kv.put(STATE, detach(this.state(), node, podUid));
  }

  async write(volume: string, node: string, generation: number, files: VolumeFiles): Promise<WriteResult> {
    const verdict = checkWrite(volume, this.state(), node, generation);
    if (!verdict.ok) return { written: false, message: verdict.message };
    // Loaded first, so the chunk store knows what is stored and rewrites only what changed.
    await this.files();
    const stored = await this.chunks().save(OWNER, files as FileMap);
    this.ctx.storage.kv.put(FILES, stored);
    return { written: true };
  }

  async read(): Promise<{ files: VolumeFiles; attachment: VolumeState["attachment"]; generation: number }> {
    const s = this.state();
    return { files: await this.files(), attachment: s.attachment, generation: s.generation };
  }

  async destroy(): Promise<void> {
    this.chunkStore = undefined;
    await this.ctx.storage.deleteAll();
  }
}
