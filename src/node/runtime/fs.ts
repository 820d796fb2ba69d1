// A container's filesystem: the image's files (static catalog data, never stored),
// the container's writable layer (stored with the container, lost when a restart
// creates a new container), and mounts of the sandbox's volumes (stored with the
// sandbox, so every container that mounts one sees the same files and they outlive
// container restarts). Paths under a mount point resolve only in the mount, which is
// what hides an image's files under it (mount an emptyDir on nginx's html directory and
// its welcome page is gone).
//
// Everything is in memory for the length of one runtime operation: the runtime loads
// the records, the shell and the programs work synchronously on this view, and the
// runtime writes back what is dirty. File contents are text in which bytes that are not
// UTF-8 stand as lone surrogates (util/byte-text), so any bytes fit and sizes are
// counted in bytes.
import { byteLength } from "../../util/byte-text";

/** `t`: when a file or directory was last modified (ms since epoch); image files have none. */
export type FileEntry =
  | { k: "d"; t?: number } // directory
  | { k: "f"; data: string; t?: number } // regular file
  | { k: "x"; cmd: string; data?: string } // executable implemented by the program `cmd`
  | { k: "wh" }; // whiteout: deleted in the writable layer

/** Files keyed by absolute path ("/etc/hostname"); in a volume, relative to its root. */
export type FileMap = Record<string, FileEntry>;

/**
 * The largest file, in bytes. A loop that appends a line every second would grow a file
 * without bound; past this size a file keeps its tail.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Bytes one code unit of a file's text stands for, at most (a surrogate pair is 4 for 2). */
const MAX_BYTES_PER_UNIT = 3;

/** The end of `text` that fits in `max` bytes, never starting inside a surrogate pair. */
export function keepTail(text: string, max = MAX_FILE_BYTES): string {
  if (text.length * MAX_BYTES_PER_UNIT <= max || byteLength(text) <= max) return text;
  let bytes = 0;
  let i = text.length;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    const pair = c >= 0xdc00 && c <= 0xdfff && i >= 2 && text.charCodeAt(i - 2) >= 0xd800 && text.charCodeAt(i - 2) <= 0xdbff;
    const size = pair ? 4 : c < 0x80 || (c >= 0xdc80 && c <= 0xdcff) ? 1 : c < 0x800 ? 2 : 3;
    if (bytes + size > max) break;
    bytes += size;
    i -= pair ? 2 : 1;
  }
  return text.slice(i);
}

type FsErrorCode = "ENOENT" | "ENOTDIR" | "EISDIR" | "EROFS" | "EEXIST" | "ENOTEMPTY";

export class FsError extends Error {
  constructor(
    readonly code: FsErrorCode,
    readonly path: string,
  ) {
    super(`${code}: ${path}`);
  }
}

export interface MountView {
  /** Absolute mount point, normalised, e.g. "/data". */
  path: string;
  files: FileMap;
  /** Directory of the volume mounted there ("/" for the whole volume; "/sub" for subPath: sub). */
  root?: string;
  readOnly: boolean;
  /** Called after every change so the owner knows to persist the volume. */
  touched(): void;
}

export function normalizePath(path: string, cwd = "/"): string {
  const parts = (path.startsWith("/") ? path : `${cwd}/${path}`).split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return "/" + out.join("/");
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

function isUnder(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(dir + "/");
}

/** Directories implied by an image's paths, computed once per image (images are static). */
const implied = new WeakMap<object, Set<string>>();
function impliedDirs(files: Readonly<FileMap>): Set<string> {
  let dirs = implied.get(files);
  if (!dirs) {
    dirs = new Set();
    for (const [p, e] of Object.entries(files)) {
      if (e.k === "wh") continue;
      for (let d = dirname(p); d !== "/" && !dirs.has(d); d = dirname(d)) dirs.add(d);
    }
    implied.set(files, dirs);
  }
  return dirs;
}

type Located = { mount: MountView; rel: string } | { mount: null; rel: string };

export class ContainerFs {
  private readonly mounts: MountView[];

  constructor(
    private readonly image: Readonly<FileMap>,
    private readonly layer: FileMap,
    mounts: MountView[],
    private readonly layerTouched: () => void = () => {},
  ) {
    // Longest mount point first, so nested mounts win.
    this.mounts = [...mounts].sort((a, b) => b.path.length - a.path.length);
  }

  private locate(path: string): Located {
    for (const m of this.mounts) {
      if (isUnder(path, m.path)) {
        const inside = path === m.path ? "/" : path.slice(m.path === "/" ? 0 : m.path.length);
        const root = m.root ?? "/";
        return { mount: m, rel: root === "/" ? inside : inside === "/" ? root : root + inside };
      }
    }
    return { mount: null, rel: path };
  }

  /** The entry at an absolute normalised path, or undefined. Directories may be implicit. */
  stat(path: string): FileEntry | undefined {
    const loc = this.locate(path);
    if (loc.mount) {
      if (loc.rel === (loc.mount.root ?? "/")) return { k: "d" };
      const e = loc.mount.files[loc.rel];
      if (e) return e;
      return this.hasChildren(loc.mount.files, loc.rel) ? { k: "d" } : undefined;
    }
    if (path === "/") return { k: "d" };
    const own = this.layer[path] ?? this.image[path];
    if (own && own.k === "wh") return undefined;
    if (own) return own;
    if (this.mounts.some((m) => m.path !== path && isUnder(m.path, path))) return { k: "d" };
    return this.hasChildren(this.layer, path) || this.hasChildren(this.image, path) ? { k: "d" } : undefined;
  }

  private hasChildren(files: Readonly<FileMap>, dir: string): boolean {
    if (files === this.image) return impliedDirs(files).has(dir);
    const prefix = dir === "/" ? "/" : dir + "/";
    for (const [p, e] of Object.entries(files)) if (e.k !== "wh" && p.startsWith(prefix)) return true;
    return false;
  }

  isDir(path: string): boolean {
    return this.stat(path)?.k === "d";
  }

  /** Content of a file; undefined when missing; FsError when it is a directory. */
  read(path: string): string | undefined {
    const e = this.stat(path);
    if (!e) return undefined;
    if (e.k === "d") throw new FsError("EISDIR", path);
    if (e.k === "x") return e.data ?? `\x7fELF\x02\x01\x01 (${e.cmd})\n`;
    return e.k === "f" ? e.data : undefined;
  }

  /** Sorted names in a directory, or undefined when it is not one. */
  list(dir: string): string[] | undefined {
    if (!this.isDir(dir)) return undefined;
    const names = new Set<string>();
    const prefix = dir === "/" ? "/" : dir + "/";
    const collect = (files: Readonly<FileMap>, base: string, hidden?: Set<string>) => {
      const pre = base === "/" ? "/" : base + "/";
      for (const [p, e] of Object.entries(files)) {
        if (!p.startsWith(pre) || p === base) continue;
        const name = p.slice(pre.length).split("/")[0];
        if (e.k === "wh" && p === pre + name) hidden?.add(name);
        else names.add(name);
      }
    };
    const loc = this.locate(dir);
    if (loc.mount) {
      collect(loc.mount.files, loc.rel);
    } else {
      const hidden = new Set<string>();
      collect(this.layer, dir, hidden);
      const fromLayer = new Set(names);
      collect(this.image, dir);
      for (const h of hidden) if (!fromLayer.has(h)) names.delete(h);
      for (const m of this.mounts) {
        if (m.path !== dir && m.path.startsWith(prefix)) names.add(m.path.slice(prefix.length).split("/")[0]);
      }
    }
    return [...names].filter((n) => this.stat(prefix + n) !== undefined).sort();
  }

  /** When the entry was last modified, if known (the image's own files are as old as the image). */
  mtime(path: string): number | undefined {
    const e = this.stat(path);
    return e && (e.k === "f" || e.k === "d") ? e.t : undefined;
  }

  /** Write a file; `at` is its new modification time. */
  write(path: string, data: string, append = false, at?: number): void {
    const parent = dirname(path);
    const pe = this.stat(parent);
    if (!pe) throw new FsError("ENOENT", path);
    if (pe.k !== "d") throw new FsError("ENOTDIR", path);
    const existing = this.stat(path);
    if (existing?.k === "d") throw new FsError("EISDIR", path);
    let content = data;
    if (append && existing && existing.k !== "wh") content = (this.read(path) ?? "") + data;
    content = keepTail(content);
    this.put(path, at === undefined ? { k: "f", data: content } : { k: "f", data: content, t: at });
  }

  /** Set a file's or directory's modification time (touch, tar x). */
  setMtime(path: string, at: number): void {
    const e = this.stat(path);
    if (!e) throw new FsError("ENOENT", path);
    if (e.k === "f" || e.k === "d") this.put(path, { ...e, t: at });
  }

  mkdir(path: string, parents = false, at?: number): void {
    const e = this.stat(path);
    if (e) {
      if (parents && e.k === "d") return;
      throw new FsError("EEXIST", path);
    }
    const parent = dirname(path);
    if (!this.isDir(parent)) {
      if (!parents || this.stat(parent)) throw new FsError(this.stat(parent) ? "ENOTDIR" : "ENOENT", path);
      this.mkdir(parent, true, at);
    }
    this.put(path, at === undefined ? { k: "d" } : { k: "d", t: at });
  }

  remove(path: string, recursive = false): void {
    const e = this.stat(path);
    if (!e) throw new FsError("ENOENT", path);
    if (e.k === "d") {
      const children = this.list(path) ?? [];
      if (children.length && !recursive) throw new FsError("ENOTEMPTY", path);
      for (const c of children) this.remove(path === "/" ? `/${c}` : `${path}/${c}`, true);
    }
    const loc = this.locate(path);
    if (loc.mount) {
      if (loc.rel === (loc.mount.root ?? "/")) return; // a mount point itself cannot go away
      if (loc.mount.readOnly) throw new FsError("EROFS", path);
      delete loc.mount.files[loc.rel];
      loc.mount.touched();
      return;
    }
    if (this.image[path]) this.layer[path] = { k: "wh" };
    else delete this.layer[path];
    this.layerTouched();
  }

  private put(path: string, entry: FileEntry): void {
    const loc = this.locate(path);
    if (loc.mount) {
      if (loc.mount.readOnly) throw new FsError("EROFS", path);
      loc.mount.files[loc.rel] = entry;
      loc.mount.touched();
      return;
    }
    this.layer[path] = entry;
    this.layerTouched();
  }
}
