// registry.k8s.io/e2e-test-images/agnhost: Kubernetes' own test server, one Go binary
// with subcommands (ENTRYPOINT /agnhost, CMD pause). Modelled are the ones the docs'
// probe page and tutorials use:
// - `liveness`: HTTP on 8080; /healthz answers 200 "ok" for the first 10 s after start,
//   then 500 "error: <seconds>"; /started says how long it has run;
// - `netexec`: HTTP on --http-port (8080): / answers "NOW: <time>", /healthz and /readyz
//   "ok", /hostname, /clientip, /echo?msg=;
// - `pause`: sleeps until signalled.
// A Go program without a handler dies of SIGTERM; as PID 1 the runtime's re-raise is
// ignored and Go exits 2.
import { alpineRoot } from "./rootfs";
import { httpDate, response } from "./http";
import type { HttpRequest, ImageConfig, ImageRepository, Program, ProgramContext, TimelineEntry } from "./types";

const HEALTHY_FOR_MS = 10_000;

function goTime(ms: number): string {
  // Go's time.Time String(): "2006-01-02 15:04:05.999999999 +0000 UTC".
  return new Date(ms).toISOString().replace("T", " ").replace("Z", " +0000 UTC");
}

/** Go's Duration String() of a whole number of milliseconds. */
function goSeconds(ms: number): string {
  return `${(ms / 1000).toString()}s`;
}

function text(status: number, body: string, now: number): ReturnType<typeof response> {
  return response(
    status,
    [
      ["Date", httpDate(now)],
      ["Content-Length", String(body.length)],
      ["Content-Type", "text/plain; charset=utf-8"],
    ],
    body,
  );
}

function query(path: string): URLSearchParams {
  const at = path.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : path.slice(at + 1));
}

function liveness(req: HttpRequest, ctx: ProgramContext): ReturnType<typeof response> {
  const route = req.path.split("?")[0];
  const up = ctx.now - ctx.startedAt;
  if (route === "/healthz") return up > HEALTHY_FOR_MS ? text(500, `error: ${up / 1000}`, ctx.now) : text(200, "ok", ctx.now);
  if (route === "/started") return text(200, goSeconds(up), ctx.now);
  if (route === "/redirect") {
    const loc = query(req.path).get("loc") ?? "";
    return response(302, [["Location", loc], ["Date", httpDate(ctx.now)], ["Content-Length", "0"]], "");
  }
  return text(404, "404 page not found\n", ctx.now);
}

function netexec(req: HttpRequest, ctx: ProgramContext): ReturnType<typeof response> {
  const route = req.path.split("?")[0];
  switch (route) {
    case "/":
      return text(200, `NOW: ${goTime(ctx.now)}`, ctx.now);
    case "/healthz":
    case "/readyz":
      return text(200, "ok", ctx.now);
    case "/hostname":
    case "/hostName":
      return text(200, ctx.hostname, ctx.now);
    case "/clientip":
      return text(200, `${req.remoteAddr}:${40000 + (ctx.now % 20000)}`, ctx.now);
    case "/echo":
      return text(200, query(req.path).get("msg") ?? "", ctx.now);
    default:
      return text(404, "404 page not found\n", ctx.now);
  }
}

/** A klog line: "I1206 02:31:42.123000       1 log.go:195] msg". */
function klog(ctx: ProgramContext, msg: string): string {
  const iso = new Date(ctx.now).toISOString();
  return `I${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 23)}000 ${String(ctx.pid).padStart(7)} log.go:195] ${msg}`;
}

/** The value of a `--flag=value` or `--flag value` argument. */
function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

const agnhost: Program = {
  start(ctx) {
    const [sub, ...args] = ctx.argv.slice(1);
    if (sub === "liveness") return { kind: "run", listen: [8080], timeline: [], state: { sub } };
    if (sub === "netexec") {
      const port = Number(flag(args, "http-port") ?? "8080");
      const udp = Number(flag(args, "udp-port") ?? "8081");
      const log: TimelineEntry[] = [
        { afterMs: 0, stream: "stderr", text: klog(ctx, `Started HTTP server on port ${port}`) },
        { afterMs: 0, stream: "stderr", text: klog(ctx, `Started UDP server on port  ${udp}`) },
      ];
      return { kind: "run", listen: [port], timeline: log, state: { sub } };
    }
    if (sub === "pause" || sub === undefined) return { kind: "run", timeline: [{ afterMs: 0, stream: "stderr", text: "Paused" }], state: { sub: "pause" } };
    return {
      kind: "run",
      timeline: [
        { afterMs: 0, stream: "stderr", text: `Error: unknown command "${sub}" for "app"\nRun 'app --help' for usage.` },
        { afterMs: 0, exit: 1 },
      ],
    };
  },
  http(req, ctx) {
    const sub = (ctx.state as { sub?: string } | undefined)?.sub;
    if (req.method === "RESP") return { response: "not-http" };
    return { response: sub === "netexec" ? netexec(req, ctx) : liveness(req, ctx) };
  },
  signal(sig, ctx) {
    const sub = (ctx.state as { sub?: string } | undefined)?.sub;
    // pause handles SIGINT and SIGTERM and exits 0; the others die of the signal.
    if (sub === "pause") return [{ afterMs: 0, stream: "stderr", text: `Shutting down after receiving signal: ${sig === "SIGINT" ? "interrupt" : "terminated"}.` }, { afterMs: 0, exit: 0 }];
    return [{ afterMs: 0, exit: ctx.pid === 1 ? 2 : sig === "SIGINT" ? 130 : 143 }];
  },
};

function agnhostImage(version: string): ImageConfig {
  const files = alpineRoot("3.16.2", { "/usr/bin": ["curl", "bash"] }, {}, []);
  files["/agnhost"] = { k: "x", cmd: "agnhost" };
  return {
    canonical: `registry.k8s.io/e2e-test-images/agnhost:${version}`,
    sizeBytes: 51_228_616,
    entrypoint: ["/agnhost"],
    cmd: ["pause"],
    workingDir: "/",
    env: [["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
    stopSignal: "SIGTERM",
    userland: "busybox",
    files,
    programs: { agnhost },
    osName: "Alpine Linux v3.16",
  };
}

export const agnhostRepo: ImageRepository = {
  repository: "registry.k8s.io/e2e-test-images/agnhost",
  tags: ["2.40", "2.39", "2.43", "2.52"],
  image: (tag) => agnhostImage(tag),
};
