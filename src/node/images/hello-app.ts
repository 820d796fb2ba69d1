// gcr.io/google-samples/hello-app:1.0 and 2.0, the Ingress tutorial's app: a Go web
// server (quickstarts/hello-app) on an Alpine base, /hello-app listening on $PORT
// (8080). Every path answers "Hello, world!", its version and the pod's hostname, and
// logs "Serving request: PATH" with Go's log timestamp. A static Go binary as PID 1
// exits 2 on SIGTERM (no handler), as goproxy does.
import { alpineRoot, DEFAULT_PATH } from "./rootfs";
import { httpDate, nginxLogTime, response } from "./http";
import type { ImageConfig, ImageRepository, Program } from "./types";

/** Go's log package prefix: "2025/11/25 09:19:00" (the same layout nginx's error log uses). */
const goLog = (ms: number, text: string) => `${nginxLogTime(ms)} ${text}`;

function helloApp(version: string): Program {
  return {
    usage: { idleMillicores: 1, memoryBytes: 6 * 1024 * 1024, cpuMsPerRequest: 1 },
    start(ctx) {
      const port = Number(ctx.env.PORT || "8080");
      const line = goLog(ctx.now, `Server listening on port ${ctx.env.PORT || "8080"}`);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        return { kind: "run", timeline: [{ afterMs: 0, stream: "stderr", text: line }, { afterMs: 0, stream: "stderr", text: goLog(ctx.now, `listen tcp: address ${ctx.env.PORT}: invalid port`) }, { afterMs: 0, exit: 1 }] };
      }
      return {
        kind: "run",
        listen: [port],
        timeline: [{ afterMs: 0, stream: "stderr", text: line }],
        bindFailure: (p) => [
          { afterMs: 0, stream: "stderr", text: goLog(ctx.now, `listen tcp :${p}: bind: address already in use`) },
          { afterMs: 0, exit: 1 },
        ],
      };
    },
    http(req, ctx) {
      if (req.method === "RESP") return { response: "not-http" };
      const path = req.path.split("?")[0];
      const body = `Hello, world!\nVersion: ${version}\nHostname: ${ctx.hostname}\n`;
      return {
        response: response(
          200,
          [
            ["Date", httpDate(ctx.now)],
            ["Content-Length", String(body.length)],
            ["Content-Type", "text/plain; charset=utf-8"],
          ],
          req.method === "HEAD" ? "" : body,
        ),
        log: [{ afterMs: 0, stream: "stderr", text: goLog(ctx.now, `Serving request: ${path}`) }],
      };
    },
    signal: (sig, ctx) => [{ afterMs: 0, exit: ctx.pid === 1 ? 2 : sig === "SIGINT" ? 130 : 143 }],
  };
}

/** The version each tag prints. Digests are the catalog's own (derived from the name). */
const VERSIONS: Record<string, string> = { "1.0": "1.0.0", "2.0": "2.0.0" };

export const helloAppRepo: ImageRepository = {
  repository: "gcr.io/google-samples/hello-app",
  tags: Object.keys(VERSIONS),
  image: (tag): ImageConfig => {
    const files = alpineRoot("3.18.4");
    files["/hello-app"] = { k: "x", cmd: "hello-app" };
    return {
      canonical: `gcr.io/google-samples/hello-app:${tag}`,
      sizeBytes: 4_234_615,
      entrypoint: [],
      cmd: ["/hello-app"],
      workingDir: "/",
      env: [
        ["PATH", DEFAULT_PATH],
        ["PORT", "8080"],
      ],
      stopSignal: "SIGTERM",
      userland: "busybox",
      files,
      programs: { "hello-app": helloApp(VERSIONS[tag]) },
      osName: "Alpine Linux v3.18",
    };
  },
};
