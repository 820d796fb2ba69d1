// Turning a CRI ContainerConfig and an image into what the model runs: the argv
// (Kubernetes' command/args rules over ENTRYPOINT/CMD), the environment in the order a
// real runtime builds it, the working directory, and the files the runtime itself
// writes into every container (/etc/hostname, /etc/hosts, /etc/resolv.conf).
import type { ImageConfig } from "../images/types";
import type { ShellFlavour } from "../shell/host";
import type { ContainerConfig, PodSandboxConfig } from "./cri";
import type { FileMap } from "./fs";
import { CLUSTER_DNS_IP, NDOTS, podSearchPath } from "../../model/cluster-dns";

export function containerArgv(config: ContainerConfig, image: ImageConfig): string[] {
  if (config.command?.length) return [...config.command, ...(config.args ?? [])];
  if (config.args?.length) return [...image.entrypoint, ...config.args];
  return [...image.entrypoint, ...image.cmd];
}

/** PATH (image), HOSTNAME, the rest of the image ENV, the config's envs, HOME last if unset. */
export function containerEnv(config: ContainerConfig, image: ImageConfig, hostname: string, extra: [string, string][] = []): [string, string][] {
  const env: [string, string][] = [];
  const set = (k: string, v: string) => {
    const i = env.findIndex(([name]) => name === k);
    if (i >= 0) env[i] = [k, v];
    else env.push([k, v]);
  };
  const path = image.env.find(([k]) => k === "PATH");
  if (path) set(...path);
  set("HOSTNAME", hostname);
  for (const [k, v] of image.env) if (k !== "PATH") set(k, v);
  for (const { key, value } of config.envs ?? []) set(key, value);
  for (const [k, v] of extra) set(k, v);
  if (!env.some(([k]) => k === "HOME")) env.push(["HOME", "/root"]);
  return env;
}

/** Which shell /bin/sh is in this image: it decides the wording of shell errors. */
export function shellFlavourOf(image: ImageConfig): ShellFlavour {
  const sh = image.files["/bin/sh"];
  return sh?.k === "x" && (sh.cmd === "ash" || sh.cmd === "bash") ? sh.cmd : "dash";
}

export function runtimeFiles(config: PodSandboxConfig, hostname: string): FileMap {
  const ns = config.metadata.namespace;
  const dns = config.dnsConfig ?? { servers: [CLUSTER_DNS_IP], searches: podSearchPath(ns), options: [`ndots:${NDOTS}`] };
  return {
    "/etc/hostname": { k: "f", data: hostname + "\n" },
    "/etc/hosts": {
      k: "f",
      data: [
        "# Kubernetes-managed hosts file.",
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        "fe00::0\tip6-localnet",
        "fe00::0\tip6-mcastprefix",
        "fe00::1\tip6-allnodes",
        "fe00::2\tip6-allrouters",
        // managedHostsFileContent: the FQDN first when the pod has a subdomain.
        config.hostDomain ? `${config.podIP}\t${hostname}.${config.hostDomain}\t${hostname}` : `${config.podIP}\t${hostname}`,
        "",
      ].join("\n"),
    },
    "/etc/resolv.conf": {
      k: "f",
      data: `search ${dns.searches.join(" ")}\n${dns.servers.map((s) => `nameserver ${s}\n`).join("")}${dns.options?.length ? `options ${dns.options.join(" ")}\n` : ""}`,
    },
  };
}
