// busybox nslookup against the pod's nameserver (cluster DNS). Two generations:
// - up to 1.28 it asks the C library (getaddrinfo: /etc/hosts, then DNS through the
//   resolv.conf search path) and names each address by a reverse lookup; the output
//   the Kubernetes docs show (`nslookup web-0.nginx` in busybox:1.28);
// - from 1.29 it sends its own queries (A and AAAA): a name with a dot is asked as
//   given, one without once per search domain, and NXDOMAIN is printed per query.
import type { CommandContext, CommandFn } from "./types";
import { CLUSTER_DNS_IP, podSearchPath } from "../../../model/cluster-dns";

/** The busybox release of the image, from its os name ("BusyBox v1.28"); undefined: not busybox. */
function busyboxMinor(ctx: CommandContext): number | undefined {
  const m = /^BusyBox v1\.(\d+)/.exec(ctx.host.image.osName);
  return m ? Number(m[1]) : undefined;
}

/** The search domains and nameserver the container's resolv.conf gives. */
function resolvConf(ctx: CommandContext): { search: string[]; server: string } {
  // No resolv.conf: the cluster defaults.
  const text = ctx.host.fs.read("/etc/resolv.conf") ?? "";
  const search = /^search\s+(.+)$/m.exec(text)?.[1].trim().split(/\s+/) ?? podSearchPath("default");
  const server = /^nameserver\s+(\S+)$/m.exec(text)?.[1] ?? CLUSTER_DNS_IP;
  return { search, server };
}

/** Addresses /etc/hosts gives a name, and the name /etc/hosts gives an address. */
function hostsFile(ctx: CommandContext): { byName(n: string): string[]; byAddr(ip: string): string | undefined } {
  const text = ctx.host.fs.read("/etc/hosts") ?? "";
  const lines = text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim().split(/\s+/))
    .filter((f) => f.length >= 2 && /^\d+\.\d+\.\d+\.\d+$/.test(f[0]));
  return {
    byName: (n) => lines.filter((f) => f.slice(1).includes(n)).map((f) => f[0]),
    byAddr: (ip) => lines.find((f) => f[0] === ip)?.[1],
  };
}

const DNS_SERVER_NAME = "kube-dns.kube-system.svc.cluster.local";

/** 1.28: getaddrinfo, then a reverse lookup of every address. */
async function libcStyle(ctx: CommandContext, name: string, server: string): Promise<number> {
  const hosts = hostsFile(ctx);
  const reverse = async (ip: string) => hosts.byAddr(ip) ?? (ip === CLUSTER_DNS_IP ? DNS_SERVER_NAME : await ctx.host.dnsReverse(ip, ctx.now));
  const address = async (i: number, ip: string) => {
    const rev = await reverse(ip);
    return `Address ${i + 1}: ${ip}${rev ? ` ${rev}` : ""}\n`;
  };
  ctx.io.out(`${"Server:".padEnd(10)} ${server}\n${await address(0, server)}\n`);
  let addresses: string[];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) addresses = [name];
  else {
    addresses = hosts.byName(name);
    if (!addresses.length) addresses = (await ctx.host.dnsLookup(name, true, ctx.now))?.addresses ?? [];
  }
  if (!addresses.length) {
    ctx.io.err(`nslookup: can't resolve '${name}'\n`);
    return 1;
  }
  let out = `${"Name:".padEnd(10)} ${name}\n`;
  for (let i = 0; i < addresses.length; i++) out += await address(i, addresses[i]);
  ctx.io.out(out);
  return 0;
}

/** 1.29 and later: its own A and AAAA queries, no search for a dotted name. */
async function resolverStyle(ctx: CommandContext, name: string, server: string, search: string[]): Promise<number> {
  const names = name.includes(".") ? [name.replace(/\.$/, "")] : search.map((d) => `${name}.${d}`);
  let out = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
  let answered = false;
  for (const type of ["A", "AAAA"] as const) {
    for (const n of names) {
      const answer = await ctx.host.dnsLookup(n, false, ctx.now);
      if (!answer) {
        out += `** server can't find ${n}: NXDOMAIN\n\n`;
        continue;
      }
      answered = true;
      // The cluster has no IPv6 addresses: the AAAA query of a known name answers nothing.
      if (type === "A") for (const ip of answer.addresses) out += `Name:\t${answer.name}\nAddress: ${ip}\n`;
      out += "\n";
    }
  }
  ctx.io.out(out);
  return answered ? 0 : 1;
}

export const nslookup: CommandFn = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (!args[0] || args[0].startsWith("-") || args.length > 2) {
    ctx.io.err("BusyBox multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n");
    return 1;
  }
  const { search, server } = resolvConf(ctx);
  const minor = busyboxMinor(ctx) ?? 36;
  return minor <= 28 ? libcStyle(ctx, args[0], args[1] ?? server) : resolverStyle(ctx, args[0], args[1] ?? server, search);
};
