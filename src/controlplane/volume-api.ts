// The RPC surface of a VolumeStore Durable Object: one per PersistentVolume, holding
// the volume's files like a network disk, so they outlive the pod and the node that
// wrote them. ReadWriteOnce is enforced here: the volume is attached to one node at a
// time, each attachment to a new node has a higher generation, and a write carries the
// generation it was attached with, so a node that lost the volume (it moved while that
// node was cut off) cannot write to it any more (fencing).

/** A file or directory of a volume, relative to its root ("/f", "/dir"); `t` is its mtime. */
export type VolumeFileEntry = { k: "d"; t?: number } | { k: "f"; data: string; t?: number } | { k: "x"; cmd: string; data?: string };
export type VolumeFiles = Record<string, VolumeFileEntry>;

export interface VolumeUser {
  namespace: string;
  name: string;
  uid: string;
}

export interface Attachment {
  node: string;
  generation: number;
  /** The pods on that node using the volume (uids): it detaches when the last one goes. */
  pods: VolumeUser[];
}

export type AttachResult =
  | { attached: true; generation: number; files: VolumeFiles }
  /** Held by another node whose pods still exist: the attach-detach controller's Multi-Attach error. */
  | { attached: false; holder: string; message: string };

export type WriteResult = { written: true } | { written: false; message: string };

export interface VolumeStoreApi {
  /** Attach to `node` for `pod`: the files as they are, and the generation to write with. */
  attach(volume: string, node: string, pod: VolumeUser): Promise<AttachResult>;
  /** The pod stopped using the volume on `node`; the last one out detaches it. Idempotent. */
  detach(volume: string, node: string, podUid: string): Promise<void>;
  /** Replace the volume's files, if `node` still holds it at `generation`. */
  write(volume: string, node: string, generation: number, files: VolumeFiles): Promise<WriteResult>;
  /** The files and the attachment as they are (for describe-like tools and tests). */
  read(): Promise<{ files: VolumeFiles; attachment: Attachment | null; generation: number }>;
  /** The volume was deleted (reclaim policy Delete): its data goes. */
  destroy(): Promise<void>;
}
