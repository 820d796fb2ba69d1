// registry.k8s.io/fluentd-elasticsearch: the log collector of the DaemonSet docs' example
// (a td-agent build on Debian). Its run.sh execs fluentd, which logs its startup, reads
// /var/log/containers and runs until SIGTERM, when it shuts down and exits 0. It never
// reaches an Elasticsearch here: it only has to be a long-running daemon.
import { debianRoot } from "./rootfs";
import type { ImageConfig, ImageRepository, Program, TimelineEntry } from "./types";

/** Fluentd's log time: "2026-12-06 02:40:00 +0000". */
function fluentTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} +0000`;
}

const runScript: Program = {
  start: (ctx) => ({ kind: "exec", argv: ["/usr/sbin/td-agent", ...ctx.argv.slice(1)] }),
};

function fluentd(version: string): Program {
  return {
    start(ctx) {
      const t = (ms: number) => fluentTime(ctx.now + ms);
      const lines: TimelineEntry[] = [
        { afterMs: 0, text: `${t(0)} [info]: parsing config file is succeeded path="/etc/td-agent/td-agent.conf"` },
        { afterMs: 1, text: `${t(1)} [info]: using configuration file: <ROOT>` },
        { afterMs: 5, text: `${t(5)} [info]: starting fluentd-${version} pid=${ctx.pid} ruby="2.3.1"` },
        { afterMs: 10, text: `${t(10)} [info]: following tail of /var/log/containers/*.log` },
        { afterMs: 12, text: `${t(12)} [info]: fluentd worker is now running worker=0` },
      ];
      return { kind: "run", timeline: lines };
    },
    signal(sig, ctx) {
      if (sig === "SIGKILL") return undefined;
      return [
        { afterMs: 0, text: `${fluentTime(ctx.now)} [info]: Received graceful stop` },
        { afterMs: 50, text: `${fluentTime(ctx.now + 50)} [info]: Worker 0 finished with status 0` },
        { afterMs: 50, exit: 0 },
      ];
    },
  };
}

/** Image tag → the fluentd it ships. */
const TAGS: Record<string, string> = { "1.19": "0.12.29", "1.20": "0.12.33", "1.21": "0.12.33", "1.22": "0.12.40" };

function fluentdImage(tag: string): ImageConfig {
  const files = debianRoot({ version: "8.11", codename: "jessie", major: "8" }, { "/usr/sbin": [] });
  files["/run.sh"] = { k: "x", cmd: "run.sh" };
  files["/usr/sbin/td-agent"] = { k: "x", cmd: "td-agent" };
  return {
    canonical: `registry.k8s.io/fluentd-elasticsearch:${tag}`,
    sizeBytes: 140_452_812,
    entrypoint: [],
    cmd: ["/run.sh"],
    workingDir: "/",
    env: [["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]],
    stopSignal: "SIGTERM",
    userland: "gnu",
    files,
    programs: { "run.sh": runScript, "td-agent": fluentd(TAGS[tag]) },
    osName: "Debian GNU/Linux 8 (jessie)",
  };
}

export const fluentdElasticsearch: ImageRepository = {
  repository: "registry.k8s.io/fluentd-elasticsearch",
  tags: Object.keys(TAGS),
  image: fluentdImage,
};
