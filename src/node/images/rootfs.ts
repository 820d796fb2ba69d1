// Root filesystems of the base distributions the catalog's images are built on. Only
// what a visitor is likely to look at is there: the top-level directories, a few /etc
// files, and the executables the image really ships (so `ps` is missing from the nginx
// image, as it is on a real node).
import type { FileMap } from "../runtime/fs";

/** When the images' own files were last modified (they were built then): what `ls -l` shows for them. */
export const IMAGE_FILES_MTIME = Date.UTC(2024, 8, 26, 21, 31, 42);

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const DEBIAN_DIRS = [
  "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/media", "/mnt", "/opt", "/proc", "/root", "/run",
  "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/local", "/usr/local/bin",
  "/usr/local/sbin", "/usr/local/lib", "/usr/share", "/var", "/var/cache", "/var/lib", "/var/log", "/var/tmp", "/etc/ssl",
];

const BUSYBOX_DIRS = ["/bin", "/dev", "/etc", "/home", "/lib", "/lib64", "/proc", "/root", "/sys", "/tmp", "/usr", "/usr/sbin", "/var", "/var/spool", "/var/www"];

const ALPINE_DIRS = [
  "/bin", "/dev", "/etc", "/home", "/lib", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys",
  "/tmp", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/local", "/usr/local/bin", "/usr/share", "/var", "/var/log",
];

/** Executables: directory -> names; "name=cmd" when the program differs from the name (sh=dash). */
type Bins = Record<string, string[]>;

export function buildRoot(dirs: string[], bins: Bins, files: Record<string, string>): FileMap {
  const map: FileMap = {};
  for (const d of dirs) map[d] = { k: "d" };
  for (const [dir, names] of Object.entries(bins)) {
    map[dir] = { k: "d" };
    for (const n of names) {
      const [name, cmd] = n.includes("=") ? n.split("=") : [n, n];
      map[`${dir}/${name}`] = { k: "x", cmd };
    }
  }
  for (const [path, data] of Object.entries(files)) map[path] = { k: "f", data };
  return map;
}

const PASSWD_DEBIAN = [
  "root:x:0:0:root:/root:/bin/bash",
  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
  "bin:x:2:2:bin:/bin:/usr/sbin/nologin",
  "sys:x:3:3:sys:/dev:/usr/sbin/nologin",
  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
  "",
].join("\n");

interface DebianRelease {
  version: string;
  codename: string;
  /** "8" for jessie, "12" for bookworm. */
  major: string;
}

function debianFiles(rel: DebianRelease, passwdExtra = ""): Record<string, string> {
  return {
    "/etc/os-release": [
      `PRETTY_NAME="Debian GNU/Linux ${rel.major} (${rel.codename})"`,
      `NAME="Debian GNU/Linux"`,
      `VERSION_ID="${rel.major}"`,
      `VERSION="${rel.major} (${rel.codename})"`,
      `VERSION_CODENAME=${rel.codename}`,
      "ID=debian",
      `HOME_URL="https://www.debian.org/"`,
      `SUPPORT_URL="https://www.debian.org/support"`,
      `BUG_REPORT_URL="https://bugs.debian.org/"`,
      "",
    ].join("\n"),
    "/etc/debian_version": rel.version + "\n",
    "/etc/passwd": PASSWD_DEBIAN + passwdExtra,
    "/etc/group": "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nnogroup:x:65534:\n",
    "/etc/shells": "/bin/sh\n/bin/bash\n",
    "/root/.bashrc": "# ~/.bashrc: executed by bash(1) for non-login shells.\n",
    "/root/.profile": "# ~/.profile: executed by Bourne-compatible login shells.\n",
  };
}

/** The GNU userland of a Debian image; pass the extra tools (curl, ps...) an image has. */
function debianBins(extra: Bins = {}): Bins {
  const bins: Bins = {
    "/bin": ["bash", "sh=dash", "dash", "cat", "date", "echo", "false", "hostname", "kill", "ls", "mkdir", "pwd", "rm", "sleep", "touch", "true", "uname", "grep", "gzip", "gunzip", "zcat", "tar"],
    "/usr/bin": ["env", "id", "whoami", "head", "tail", "wc", "printenv", "seq", "test", "[", "printf", "which", "sort", "uniq"],
  };
  for (const [dir, names] of Object.entries(extra)) bins[dir] = [...(bins[dir] ?? []), ...names];
  return bins;
}

export function debianRoot(rel: DebianRelease, extraBins: Bins = {}, files: Record<string, string> = {}, extraDirs: string[] = []): FileMap {
  return buildRoot([...DEBIAN_DIRS, ...extraDirs], debianBins(extraBins), { ...debianFiles(rel), ...files });
}

const BUSYBOX_APPLETS = [
  "sh=ash", "ash", "cat", "date", "echo", "env", "false", "grep", "gunzip", "gzip", "head", "hostname", "id", "kill", "ls", "mkdir", "nslookup",
  "printenv", "printf", "ps", "pwd", "rm", "seq", "sleep", "sort", "tail", "tar", "test", "[", "touch", "true", "uname",
  "uniq", "uptime", "wc", "wget", "which", "whoami", "zcat",
];

export function busyboxRoot(files: Record<string, string> = {}): FileMap {
  return buildRoot(BUSYBOX_DIRS, { "/bin": BUSYBOX_APPLETS }, {
    "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n",
    "/etc/group": "root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnogroup:x:65534:\n",
    ...files,
  });
}

export function alpineRoot(version: string, extraBins: Bins = {}, files: Record<string, string> = {}, extraDirs: string[] = []): FileMap {
  const inUsrBin = ["wget", "which", "nslookup"];
  const bins: Bins = { "/bin": [...BUSYBOX_APPLETS.filter((a) => !inUsrBin.includes(a)), "busybox=true"], "/usr/bin": inUsrBin };
  for (const [dir, names] of Object.entries(extraBins)) bins[dir] = [...(bins[dir] ?? []), ...names];
  return buildRoot([...ALPINE_DIRS, ...extraDirs], bins, {
    "/etc/os-release": `NAME="Alpine Linux"\nID=alpine\nVERSION_ID=${version}\nPRETTY_NAME="Alpine Linux v${version.split(".").slice(0, 2).join(".")}"\nHOME_URL="https://alpinelinux.org/"\nBUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"\n`,
    "/etc/alpine-release": version + "\n",
    "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n",
    "/etc/group": "root:x:0:root\nwheel:x:10:root\nnogroup:x:65533:\n",
    ...files,
  });
}
