// registry.k8s.io/etcd: the docs' gRPC-probe example. `etcd` serves its clients on 2379
// (gRPC, with the grpc.health.v1 service reporting SERVING for the server, "", and
// HTTP /health and /version) and its peers on 2380, logging zap JSON lines as 3.5 does.
// SIGTERM and SIGINT stop it cleanly (exit 0).
import { debianRoot } from "./rootfs";
import { httpDate, response } from "./http";
import type { ImageConfig, ImageRepository, Program, ProgramContext, TimelineEntry } from "./types";

interface Variant {
  /** etcd's version ("3.5.1"). */
  version: string;
  /** The cluster version it reports ("3.5.0"). */
  cluster: string;
}

function flagOf(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

function zap(ctx: ProgramContext, afterMs: number, level: string, caller: string, msg: string, fields: Record<string, unknown> = {}): TimelineEntry {
  const ts = new Date(ctx.now + afterMs).toISOString();
  return { afterMs, stream: "stderr", text: JSON.stringify({ level, ts, caller, msg, ...fields }) };
}

function portsOf(urls: string | undefined, fallback: number): number[] {
  const out = (urls ?? "").split(",").map((u) => Number(/:(\d+)\/?$/.exec(u.trim())?.[1])).filter((p) => Number.isInteger(p) && p > 0);
  return out.length ? out : [fallback];
}

function etcdProgram(v: Variant): Program {
  return {
    start(ctx) {
      const args = ctx.argv.slice(1);
      if (args.includes("--version")) {
        return { kind: "run", timeline: [{ afterMs: 0, text: `etcd Version: ${v.version}\nGit SHA: e8732fb5f\nGo Version: go1.16.3\nGo OS/Arch: linux/amd64` }, { afterMs: 0, exit: 0 }] };
      }
      const dataDir = flagOf(args, "data-dir") ?? "default.etcd";
      const clientUrls = flagOf(args, "listen-client-urls") ?? "http://localhost:2379";
      const peerUrls = flagOf(args, "listen-peer-urls") ?? "http://localhost:2380";
      const listen = [...portsOf(clientUrls, 2379), ...portsOf(peerUrls, 2380)];
      return {
        kind: "run",
        listen,
        timeline: [
          zap(ctx, 0, "info", "etcdmain/etcd.go:72", "Running: ", { args: ctx.argv }),
          zap(ctx, 1, "info", "embed/etcd.go:131", "configuring peer listeners", { "listen-peer-urls": peerUrls.split(",") }),
          zap(ctx, 1, "info", "embed/etcd.go:139", "configuring client listeners", { "listen-client-urls": clientUrls.split(",") }),
          zap(ctx, 2, "info", "embed/etcd.go:307", "starting an etcd server", { "etcd-version": v.version, "data-dir": dataDir, name: flagOf(args, "name") ?? "default" }),
          zap(ctx, 40, "info", "etcdserver/server.go:2027", "published local member to cluster through raft", { "local-member-attributes": `{Name:${flagOf(args, "name") ?? "default"} ClientURLs:[${flagOf(args, "advertise-client-urls") ?? "http://localhost:2379"}]}` }),
          zap(ctx, 41, "info", "embed/serve.go:98", "ready to serve client requests"),
          zap(ctx, 41, "info", "etcdmain/main.go:47", "notifying init daemon"),
        ],
      };
    },
    http(req, ctx) {
      if (req.method === "RESP") return { response: "not-http" };
      const route = req.path.split("?")[0];
      const json = (status: number, body: string) =>
        response(status, [["Content-Type", "application/json"], ["Date", httpDate(ctx.now)], ["Content-Length", String(body.length)]], body);
      if (route === "/health") return { response: json(200, '{"health":"true","reason":""}') };
      if (route === "/version") return { response: json(200, `{"etcdserver":"${v.version}","etcdcluster":"${v.cluster}"}`) };
      const body = "404 page not found\n";
      return { response: response(404, [["Content-Type", "text/plain; charset=utf-8"], ["Date", httpDate(ctx.now)], ["Content-Length", String(body.length)]], body) };
    },
    grpcHealth(service) {
      // etcd registers the health service for the server as a whole only.
      if (service === "") return { kind: "status", status: "SERVING" };
      return { kind: "error", code: "NotFound", message: "unknown service" };
    },
    signal(sig, ctx) {
      return [
        zap(ctx, 0, "info", "osutil/interrupt_unix.go:64", "received signal; shutting down", { signal: sig === "SIGINT" ? "interrupt" : "terminated" }),
        zap(ctx, 1, "info", "embed/etcd.go:367", "closing etcd server"),
        zap(ctx, 5, "info", "embed/etcd.go:569", "stopped serving peer traffic"),
        zap(ctx, 5, "info", "embed/etcd.go:371", "closed etcd server"),
        { afterMs: 5, exit: 0 },
      ];
    },
  };
}

const VARIANTS: Record<string, Variant> = {
  "3.5.1-0": { version: "3.5.1", cluster: "3.5.0" },
  "3.5.15-0": { version: "3.5.15", cluster: "3.5.0" },
};

export const etcdRepo: ImageRepository = {
  repository: "registry.k8s.io/etcd",
  tags: Object.keys(VARIANTS),
  image: (tag): ImageConfig => {
    const v = VARIANTS[tag];
    const files = debianRoot({ version: "11.1", codename: "bullseye", major: "11" }, { "/usr/local/bin": ["etcd"] }, {}, ["/var/lib/etcd"]);
    return {
      canonical: `registry.k8s.io/etcd:${tag}`,
      sizeBytes: 98_888_614,
      entrypoint: [],
      cmd: ["/usr/local/bin/etcd"],
      workingDir: "/",
      env: [["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
      stopSignal: "SIGTERM",
      userland: "gnu",
      files,
      programs: { etcd: etcdProgram(v) },
      osName: "Debian GNU/Linux 11 (bullseye)",
    };
  },
};
