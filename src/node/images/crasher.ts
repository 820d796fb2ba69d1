// ghcr.io/edgekube/crasher: a distroless program made to fail. It logs that it starts,
// tries to reach its backend and, CRASH_AFTER seconds later (default 2), logs a fatal
// error and exits EXIT_CODE (default 1): CrashLoopBackOff on demand. No shell, no
// tools: `kubectl exec` into it fails like it would for any distroless image.
import { buildRoot } from "./rootfs";
import { nginxLogTime } from "./http";
import type { ImageConfig, ImageRepository, Program } from "./types";

const crasher: Program = {
  usage: { idleMillicores: 1, memoryBytes: 2 * 1024 * 1024 },
  start(ctx) {
    const after = Math.max(0, Number(ctx.env.CRASH_AFTER ?? "2")) * 1000 || 0;
    const code = Number.parseInt(ctx.env.EXIT_CODE ?? "1", 10);
    const t = (ms: number) => nginxLogTime(ctx.now + ms);
    return {
      kind: "run",
      timeline: [
        { afterMs: 0, text: `${t(0)} crasher 1.0.0 starting (pid ${ctx.pid})` },
        { afterMs: 0, text: `${t(0)} connecting to backend at db.default.svc.cluster.local:5432` },
        { afterMs: after, stream: "stderr", text: `${t(after)} fatal: dial tcp: lookup db.default.svc.cluster.local on 10.96.0.10:53: no such host` },
        { afterMs: after, exit: Number.isNaN(code) ? 1 : code },
      ],
    };
  },
};

function crasherImage(tag: string): ImageConfig {
  return {
    canonical: `ghcr.io/edgekube/crasher:${tag === "latest" ? "1.0.0" : tag}`,
    sizeBytes: 1_843_212,
    entrypoint: ["/crasher"],
    cmd: [],
    workingDir: "/",
    env: [["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
    stopSignal: "SIGTERM",
    userland: "gnu",
    files: buildRoot(["/etc", "/tmp", "/var"], {}, { "/etc/passwd": "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n" }),
    programs: { crasher },
    osName: "Distroless",
  };
}

export const crasherRepo: ImageRepository = {
  repository: "ghcr.io/edgekube/crasher",
  tags: ["latest", "1.0.0", "1"],
  image: (tag) => {
    const img = crasherImage(tag);
    img.files["/crasher"] = { k: "x", cmd: "crasher" };
    return img;
  },
};
