// registry.k8s.io/hpa-example: the HorizontalPodAutoscaler walkthrough's server, php:5-apache
// with an index.php that computes a million square roots and answers "OK!". Each request
// costs CPU time (what a load generator's loop drives up until the autoscaler adds pods);
// Apache writes its startup notices to stderr and an access line per request to stdout.
import { byteLength, clfTime, httpDate, response } from "./http";
import { DEFAULT_PATH, debianRoot } from "./rootfs";
import type { ImageConfig, ImageRepository, Program } from "./types";

const APACHE = "Apache/2.4.10 (Debian)";
const PHP = "PHP/5.6.21";
const INDEX_PHP = '<?php\n  $x = 0.0001;\n  for ($i = 0; $i <= 1000000; $i++) {\n    $x += sqrt($x);\n  }\n  echo "OK!";\n?>\n';

/** Apache's error-log time: "Sun Dec 06 05:40:00.123456 2026". */
function apacheTime(ms: number): string {
  const d = new Date(ms);
  const [day, mon, date, year, time] = d.toUTCString().replace(",", "").split(" ");
  void date;
  const micros = String(d.getUTCMilliseconds() * 1000).padStart(6, "0");
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, "0")} ${time}.${micros} ${year}`;
}

const apache: Program = {
  // index.php's loop takes about 15 ms of CPU. The walkthrough's load generator (up
  // to a hundred requests a second, as fast as the model runs its loop) asks more than
  // the 500m limit lets one pod use: 250% of its 200m request, until the HPA adds pods.
  usage: { idleMillicores: 1, memoryBytes: 10 * 1024 * 1024, cpuMsPerRequest: 15 },
  start: (ctx) => {
    const fqdn = `AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using ${ctx.podIP}. Set the 'ServerName' directive globally to suppress this message`;
    return {
      kind: "run",
      listen: [80],
      timeline: [
        { afterMs: 0, stream: "stderr", text: fqdn },
        { afterMs: 5, stream: "stderr", text: fqdn },
        { afterMs: 10, stream: "stderr", text: `[${apacheTime(ctx.now + 10)}] [mpm_prefork:notice] [pid 1] AH00163: ${APACHE} ${PHP} configured -- resuming normal operations` },
        { afterMs: 10, stream: "stderr", text: `[${apacheTime(ctx.now + 10)}] [core:notice] [pid 1] AH00094: Command line: 'apache2 -D FOREGROUND'` },
      ],
      bindFailure: () => [
        { afterMs: 0, stream: "stderr", text: "(98)Address already in use: AH00072: make_sock: could not bind to address [::]:80" },
        { afterMs: 0, stream: "stderr", text: "no listening sockets available, shutting down" },
        { afterMs: 0, stream: "stderr", text: "AH00015: Unable to open logs" },
        { afterMs: 0, exit: 1 },
      ],
    };
  },
  http(req, ctx) {
    if (req.method === "RESP") return { response: "not-http" };
    const found = req.path === "/" || req.path.startsWith("/?") || req.path.startsWith("/index.php");
    const body = found ? "OK!" : `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL ${req.path} was not found on this server.</p>\n<hr>\n<address>${APACHE} Server at ${req.headers.Host ?? req.headers.host ?? "localhost"} Port 80</address>\n</body></html>\n`;
    const headers: [string, string][] = [
      ["Date", httpDate(ctx.now)],
      ["Server", APACHE],
      ...(found ? ([["X-Powered-By", PHP]] as [string, string][]) : []),
      ["Content-Length", String(byteLength(body))],
      ["Content-Type", found ? "text/html" : "text/html; charset=iso-8859-1"],
    ];
    const status = found ? 200 : 404;
    const sent = byteLength(body) + headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 17);
    const ua = req.headers["User-Agent"] ?? req.headers["user-agent"] ?? "-";
    return {
      response: response(status, headers, req.method === "HEAD" ? "" : body),
      log: [{ afterMs: 0, text: `${req.remoteAddr} - - [${clfTime(ctx.now)}] "${req.method} ${req.path} HTTP/1.1" ${status} ${sent} "-" "${ua}"` }],
    };
  },
  signal: (sig, ctx) => [
    { afterMs: 0, stream: "stderr", text: `[${apacheTime(ctx.now)}] [mpm_prefork:notice] [pid 1] AH00169: caught ${sig}, shutting down` },
    { afterMs: 0, exit: 0 },
  ],
};

export const hpaExample: ImageRepository = {
  repository: "registry.k8s.io/hpa-example",
  tags: ["latest"],
  image: (): ImageConfig => ({
    canonical: "registry.k8s.io/hpa-example:latest",
    sizeBytes: 180_997_104,
    entrypoint: [],
    cmd: ["apache2-foreground"],
    workingDir: "/var/www/html",
    env: [
      ["PATH", DEFAULT_PATH],
      ["PHPIZE_DEPS", "autoconf file g++ gcc libc-dev make pkg-config re2c"],
      ["PHP_INI_DIR", "/usr/local/etc/php"],
      ["APACHE_CONFDIR", "/etc/apache2"],
      ["APACHE_ENVVARS", "/etc/apache2/envvars"],
      ["PHP_VERSION", "5.6.21"],
    ],
    stopSignal: "SIGTERM",
    userland: "gnu",
    files: debianRoot(
      { version: "8.4", codename: "jessie", major: "8" },
      { "/usr/local/bin": ["apache2-foreground=apache2"], "/usr/sbin": ["apache2"], "/usr/bin": ["curl"] },
      { "/var/www/html/index.php": INDEX_PHP },
      ["/var/www", "/var/www/html", "/etc/apache2", "/usr/local/etc", "/usr/local/etc/php"],
    ),
    programs: { apache2: apache },
    osName: "Debian GNU/Linux 8 (jessie)",
  }),
};
