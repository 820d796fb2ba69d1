// Resource quantities as numbers (cpu in cores, memory in bytes), for the bars.

/** @type {Record<string, number>} */
const SUFFIX = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };

/**
 * @param {string | number | undefined} q
 * @returns {number}
 */
export function quantity(q) {
  if (q === undefined || q === null) return 0;
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2]] ?? 1);
}

/**
 * What a pod asks of its node: the sum of its containers' requests (init containers
 * run before, one at a time: the largest counts if larger), as the scheduler counts.
 * @param {any} pod
 */
export function podRequests(pod) {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += quantity(c.resources?.requests?.cpu);
    memory += quantity(c.resources?.requests?.memory);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    cpu = Math.max(cpu, quantity(c.resources?.requests?.cpu));
    memory = Math.max(memory, quantity(c.resources?.requests?.memory));
  }
  return { cpu, memory };
}

/** @param {number} bytes */
export function formatBytes(bytes) {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)}Gi`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)}Mi`;
  return `${Math.round(bytes / 1024)}Ki`;
}

/** @param {number} cores */
export function formatCpu(cores) {
  return cores >= 1 ? `${+cores.toFixed(2)}` : `${Math.round(cores * 1000)}m`;
}
