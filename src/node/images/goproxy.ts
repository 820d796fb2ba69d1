// registry.k8s.io/goproxy:0.1: the docs' TCP-probe example, an HTTP proxy (elazarl/goproxy)
// listening on 8080 in a scratch image. A request that is not a proxy request gets
// goproxy's 500 answer; a static Go binary as PID 1 exits 2 on SIGTERM.
import { buildRoot } from "./rootfs";
import { httpDate, response } from "./http";
import type { ImageConfig, ImageRepository, Program } from "./types";

const NOT_A_PROXY_REQUEST = "This is a proxy server. Does not respond to non-proxy requests.\n";

const goproxy: Program = {
  start: () => ({ kind: "run", listen: [8080], timeline: [] }),
  http(req, ctx) {
    if (req.method === "RESP") return { response: "not-http" };
    return {
      response: response(
        500,
        [
          ["Content-Type", "text/plain; charset=utf-8"],
          ["X-Content-Type-Options", "nosniff"],
          ["Date", httpDate(ctx.now)],
          ["Content-Length", String(NOT_A_PROXY_REQUEST.length)],
        ],
        NOT_A_PROXY_REQUEST,
      ),
    };
  },
  signal: (sig, ctx) => [{ afterMs: 0, exit: ctx.pid === 1 ? 2 : sig === "SIGINT" ? 130 : 143 }],
};

export const goproxyRepo: ImageRepository = {
  repository: "registry.k8s.io/goproxy",
  tags: ["0.1"],
  image: (): ImageConfig => {
    const files = buildRoot(["/etc", "/tmp"], {}, {});
    files["/goproxy"] = { k: "x", cmd: "goproxy" };
    return {
      canonical: "registry.k8s.io/goproxy:0.1",
      sizeBytes: 1_745_722,
      entrypoint: ["/goproxy"],
      cmd: [],
      workingDir: "/",
      env: [["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
      stopSignal: "SIGTERM",
      userland: "gnu",
      files,
      programs: { goproxy },
      osName: "scratch",
    };
  },
};
