// Cluster IPs and node ports for Services, as the API server's registry allocates them
// (its bitmaps in etcd): one owner per address. The allocations live in the
// ControllerManager Durable Object's storage; the object is single-threaded, so two
// Services created at once can never be given the same IP or port. The registry
// allocates before it writes the Service; what a failed write or a deleted Service
// leaves behind is released by the service controller (`release`), like the
// upstream repair loops.
import type { StatusCause } from "../model/types";
import type { AllocationRequest, AllocationResult, Owner } from "../controlplane/service-allocation";
import { GoRepr, index, invalidField } from "../model/field-errors";
import { inServiceRange, KUBERNETES_SERVICE_IP, NODE_PORT_MAX, NODE_PORT_MIN, SERVICE_CIDR, SERVICE_RANGE } from "../model/cluster-addresses";
import { intToIp, isIPv4 } from "../util/ipv4";

const CIDR_BASE = SERVICE_RANGE.base;
const CIDR_SIZE = SERVICE_RANGE.size;
/** Dynamic allocation stays out of the low band, kept for addresses people ask for (KEP-3070). */
const DYNAMIC_FROM = 16;
const RANDOM_TRIES = 64;

/** The slice of Durable Object storage the allocator needs (SyncKvStorage). */
export interface AllocationStore {
  get<T>(key: string): T | undefined;
  put<T>(key: string, value: T): void;
  delete(key: string): boolean;
  list<T>(options: { prefix: string }): Iterable<[string, T]>;
}

interface Record {
  owner: Owner;
  at: number;
}

const ipKey = (ip: string) => `svc-ip:${ip}`;
const portKey = (port: number, protocol: string) => `svc-port:${port}/${protocol}`;
const sameOwner = (a: Owner, b: Owner) => a.namespace === b.namespace && a.name === b.name && a.uid === b.uid;

export class ServiceAllocator {
  constructor(
    private readonly kv: AllocationStore,
    private readonly random: () => number = Math.random,
  ) {}

  /** Claim what the request names (free, or already this owner's) and pick the rest. */
  allocate(req: AllocationRequest, now: number): AllocationResult {
    const causes: StatusCause[] = [];
    let clusterIP: string | null = null;
    if (req.clusterIP !== null) {
      if (req.clusterIP === "") {
        clusterIP = this.pick((i) => ipKey(intToIp(CIDR_BASE + i)), DYNAMIC_FROM, CIDR_SIZE - 2, (i) => intToIp(CIDR_BASE + i));
        if (!clusterIP) causes.push(invalidField("spec.clusterIPs", new GoRepr("[]string{}"), "failed to allocate IP: range is full"));
      } else {
        const ip = req.clusterIP;
        const value = new GoRepr(`[]string{${JSON.stringify(ip)}}`);
        if (!isIPv4(ip) || !inServiceRange(ip)) {
          causes.push(invalidField("spec.clusterIPs", value, `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`));
        } else if (ip === KUBERNETES_SERVICE_IP && !(req.owner.namespace === "default" && req.owner.name === "kubernetes")) {
          causes.push(invalidField("spec.clusterIPs", value, `failed to allocate IP ${ip}: provided IP is already allocated`));
        } else if (ip === KUBERNETES_SERVICE_IP) {
          // Reserved for default/kubernetes, which the API server re-creates: it may take it over.
          clusterIP = ip;
        } else if (!this.free(ipKey(ip), req.owner)) {
          causes.push(invalidField("spec.clusterIPs", value, `failed to allocate IP ${ip}: provided IP is already allocated`));
        } else clusterIP = ip;
      }
    }
    const nodePorts: number[] = [];
    const taken = new Set<string>();
    for (const claim of req.nodePorts) {
      const field = `${index("spec.ports", claim.index)}.nodePort`;
      if (claim.nodePort) {
        if (claim.nodePort < NODE_PORT_MIN || claim.nodePort > NODE_PORT_MAX) {
          causes.push(invalidField(field, claim.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
        } else if (!this.free(portKey(claim.nodePort, claim.protocol), req.owner) || taken.has(portKey(claim.nodePort, claim.protocol))) {
          causes.push(invalidField(field, claim.nodePort, "provided port is already allocated"));
        }
        taken.add(portKey(claim.nodePort, claim.protocol));
        nodePorts.push(claim.nodePort);
        continue;
      }
      const port = this.pick(
        (i) => portKey(NODE_PORT_MIN + i, claim.protocol),
        0,
        NODE_PORT_MAX - NODE_PORT_MIN + 1,
        (i) => NODE_PORT_MIN + i,
        (key) => taken.has(key),
      );
      if (port === null) {
        causes.push(invalidField(field, 0, "failed to allocate a nodePort: range is full"));
        continue;
      }
      taken.add(portKey(port, claim.protocol));
      nodePorts.push(port);
    }
    if (causes.length) return { ok: false, causes };
    if (!req.dryRun) {
      const record: Record = { owner: req.owner, at: now };
      if (clusterIP) this.kv.put(ipKey(clusterIP), record);
      req.nodePorts.forEach((c, i) => this.kv.put(portKey(nodePorts[i], c.protocol), record));
    }
    return { ok: true, clusterIP, nodePorts };
  }

  /**
   * Give back what `owner` holds beyond `keep` (the addresses its stored Service uses),
   * or everything when the Service is gone. Allocations younger than `graceMs` stay:
   * their Service may still be on its way to the store.
   */
  release(owner: Omit<Owner, "uid">, keep: { uid: string; clusterIP?: string; nodePorts: { nodePort: number; protocol: string }[] } | null, now: number, graceMs: number): number {
    const keepKeys = new Set<string>();
    if (keep?.clusterIP) keepKeys.add(ipKey(keep.clusterIP));
    for (const p of keep?.nodePorts ?? []) keepKeys.add(portKey(p.nodePort, p.protocol));
    let released = 0;
    for (const prefix of ["svc-ip:", "svc-port:"]) {
      for (const [key, rec] of this.kv.list<Record>({ prefix })) {
        if (rec.owner.namespace !== owner.namespace || rec.owner.name !== owner.name) continue;
        if (keepKeys.has(key) && keep && rec.owner.uid === keep.uid) continue;
        if (now - rec.at < graceMs) continue;
        this.kv.delete(key);
        released++;
      }
    }
    return released;
  }

  /**
   * Write back the records a stored Service should have but has not (lost storage,
   * an old release): free ones are taken, ones held by this namespace/name are
   * updated to this uid. Returns the addresses another Service holds.
   */
  repair(owner: Owner, clusterIP: string | undefined, nodePorts: { nodePort: number; protocol: string }[], now: number): string[] {
    const taken: string[] = [];
    const keys = [...(clusterIP && clusterIP !== "None" ? [ipKey(clusterIP)] : []), ...nodePorts.map((p) => portKey(p.nodePort, p.protocol))];
    for (const key of keys) {
      const rec = this.kv.get<Record>(key);
      if (rec && sameOwner(rec.owner, owner)) continue;
      if (rec && (rec.owner.namespace !== owner.namespace || rec.owner.name !== owner.name)) {
        taken.push(key.slice(key.indexOf(":") + 1));
        continue;
      }
      this.kv.put(key, { owner, at: now } satisfies Record);
    }
    return taken;
  }

  /** Everything one Service (this uid) holds: it was deleted. */
  releaseOwner(owner: Owner): number {
    let released = 0;
    for (const prefix of ["svc-ip:", "svc-port:"]) {
      for (const [key, rec] of this.kv.list<Record>({ prefix })) {
        if (!sameOwner(rec.owner, owner)) continue;
        this.kv.delete(key);
        released++;
      }
    }
    return released;
  }

  /** Owners of allocations, for the resync to find Services that are gone. */
  owners(): Owner[] {
    const seen = new Map<string, Owner>();
    for (const prefix of ["svc-ip:", "svc-port:"]) {
      for (const [, rec] of this.kv.list<Record>({ prefix })) seen.set(`${rec.owner.namespace}/${rec.owner.name}`, rec.owner);
    }
    return [...seen.values()];
  }

  private free(key: string, owner: Owner): boolean {
    const rec = this.kv.get<Record>(key);
    return !rec || sameOwner(rec.owner, owner);
  }

  /** A random free slot in [from, to), then a scan from there if the random tries miss. */
  private pick<T>(keyOf: (i: number) => string, from: number, to: number, valueOf: (i: number) => T, alsoTaken: (key: string) => boolean = () => false): T | null {
    const span = to - from;
    const isFree = (i: number) => this.kv.get(keyOf(i)) === undefined && !alsoTaken(keyOf(i));
    for (let t = 0; t < RANDOM_TRIES; t++) {
      const i = from + Math.floor(this.random() * span);
      if (isFree(i)) return valueOf(i);
    }
    const start = from + Math.floor(this.random() * span);
    for (let k = 0; k < span; k++) {
      const i = from + ((start - from + k) % span);
      if (isFree(i)) return valueOf(i);
    }
    return null;
  }
}
