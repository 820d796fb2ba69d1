// Large files, stored beside their record. A writable layer or a volume is one stored
// value, and one value has a size limit (2 MB in a SQLite-backed Durable Object), so
// the content of a large file goes out of the record into chunks under keys of their
// own (KEYS.chunk), each under 1 MiB even as two-byte text, and the record keeps a
// reference. Chunks hold the text as it is (any string, lone surrogates included), so
// nothing is re-encoded on the way in or out.
//
// One ChunkStore per sandbox session remembers what is stored for each file: a save
// writes only the chunks whose text changed (a file that grows rewrites its last
// chunk), and deletes the chunks no file uses any more.
import type { FileMap } from "./fs";
import { hexId } from "./ids";
import { KEYS, type ChunkedFile, type StoredFileMap } from "./records";
import type { RuntimeStorage } from "./storage";

/** A file longer than this (in code units) is stored in chunks. */
const INLINE_UNITS = 16 * 1024;
/** What a record may hold inline in all: past it, its largest files go out too. */
const INLINE_TOTAL_UNITS = 256 * 1024;
/** Code units per chunk: at most 1 MiB serialised, even when every one takes two bytes. */
export const CHUNK_UNITS = 512 * 1024;

interface Stored {
  ref: ChunkedFile;
  data: string;
}

const part = (data: string, i: number) => data.slice(i * CHUNK_UNITS, (i + 1) * CHUNK_UNITS);

/** The files of a map that go to chunks: the large ones, then the largest until the rest fits. */
function outOfLine(files: FileMap): string[] {
  const sized: [string, number][] = [];
  for (const [path, e] of Object.entries(files)) if (e.k === "f" && e.data.length) sized.push([path, e.data.length]);
  sized.sort((a, b) => b[1] - a[1]);
  let inline = sized.reduce((n, [, len]) => n + len, 0);
  const out: string[] = [];
  for (const [path, len] of sized) {
    if (len <= INLINE_UNITS && inline <= INLINE_TOTAL_UNITS) break;
    out.push(path);
    inline -= len;
  }
  return out;
}

export class ChunkStore {
  /** Owner ("ct/<id>", "vol/<name>") -> path -> what is stored for that file now. */
  private readonly stored = new Map<string, Map<string, Stored>>();

  constructor(
    private readonly storage: RuntimeStorage,
    private readonly sandboxId: string,
    private readonly random?: () => number,
  ) {}

  /** The files of a stored map, the large ones read back from their chunks. */
  async load(owner: string, files: StoredFileMap): Promise<FileMap> {
    const out: FileMap = {};
    const mine = new Map<string, Stored>();
    for (const [path, e] of Object.entries(files)) {
      if (e.k !== "chunked") {
        out[path] = e;
        continue;
      }
      const parts: string[] = [];
      for (let i = 0; i < e.parts; i++) parts.push((await this.storage.get<string>(KEYS.chunk(this.sandboxId, e.blob, i))) ?? "");
      const data = parts.join("");
      out[path] = { k: "f", data };
      mine.set(path, { ref: e, data });
    }
    this.stored.set(owner, mine);
    return out;
  }

  /** The map to store for `files`: writes the chunks that changed and deletes those no file uses. */
  async save(owner: string, files: FileMap): Promise<StoredFileMap> {
    const before = this.stored.get(owner) ?? new Map<string, Stored>();
    const after = new Map<string, Stored>();
    const out: StoredFileMap = { ...files };
    for (const path of outOfLine(files)) {
      const entry = files[path];
      if (entry.k !== "f") continue;
      const data = entry.data;
      const prev = before.get(path);
      const ref: ChunkedFile = { k: "chunked", blob: prev?.ref.blob ?? hexId(this.random).slice(0, 16), parts: Math.ceil(data.length / CHUNK_UNITS) };
      if (prev?.data !== data) {
        for (let i = 0; i < ref.parts; i++) {
          const text = part(data, i);
          if (prev && i < prev.ref.parts && part(prev.data, i) === text) continue;
          await this.storage.put(KEYS.chunk(this.sandboxId, ref.blob, i), text);
        }
        for (let i = ref.parts; i < (prev?.ref.parts ?? 0); i++) await this.storage.delete(KEYS.chunk(this.sandboxId, ref.blob, i));
      }
      out[path] = ref;
      after.set(path, { ref, data });
    }
    for (const [path, prev] of before) if (!after.has(path)) await this.deleteChunks(prev.ref);
    this.stored.set(owner, after);
    return out;
  }

  /** An owner is gone (a removed container): so are its files' chunks. */
  async drop(owner: string): Promise<void> {
    for (const s of this.stored.get(owner)?.values() ?? []) await this.deleteChunks(s.ref);
    this.stored.delete(owner);
  }

  /** The sandbox is gone: every chunk of it, including any an interrupted save left behind. */
  async dropAll(): Promise<void> {
    for (const owner of [...this.stored.keys()]) await this.drop(owner);
    for (const key of (await this.storage.list(KEYS.chunks(this.sandboxId))).keys()) await this.storage.delete(key);
  }

  private async deleteChunks(ref: ChunkedFile): Promise<void> {
    for (let i = 0; i < ref.parts; i++) await this.storage.delete(KEYS.chunk(this.sandboxId, ref.blob, i));
  }
}
