// The one path by which objects are written (the API server's generic registry store
// in front of etcd): every create, update, patch, delete and batch goes through the
// resource's strategy (./strategies) and validation before the store writes, and
// through its hooks around the write. The API handlers, the controllers, the kubelets
// and bootstrap all write through a Registry, so a controller that writes an invalid
// object gets the same 422 a user would.
import type { Fingerprint, ObjectStore, WriteOp as StoreWriteOp } from "../store/store";
import { deleteObject, shouldDeleteDuringUpdate, type DeleteOptions, type DeleteResult } from "./deletion";
import { retryOnConflict, isConflict, GUARANTEED_UPDATE_ATTEMPTS } from "../store/retry";
import type { KubeObject, Pod } from "../model/types";
import { bindPod } from "../store/binding";
import { STORED_RESOURCES, storageKey, type ResourceInfo } from "../model/resources";
import { ApiError, alreadyExists, conflict, invalid, methodNotAllowed } from "../model/errors";
import { typeErrors, validateObject } from "../model/validation";
import type { DefaultingConfig } from "./defaults";
import type { RegistryHooks } from "./hooks";
import type { WriteOp, WriteSubresource } from "./ops";
import { strategyForInfo } from "./strategies";
import type { AdmissionMemo } from "./strategies/types";
import { admissionMemo, forgetSnapshots, isSnapshotConflict, snapshotGuards } from "./admission-snapshot";
import { CustomResourceTypes } from "./custom-resource-types";
import { customResourceInfo, storageApiVersion } from "../model/custom-resources";
import { prepareForCreate, prepareForEphemeralContainersUpdate, prepareForStatusUpdate, prepareForUpdate } from "./strategy";
import { definitionOfKind } from "../model/api-schema";
import { ensureNamespaceActive } from "./namespace-lifecycle";
import { PDB_RESOURCE } from "../model/disruption-budget";
import { trackManagedFields, writerOf, type FieldManagerOptions } from "./field-manager";
import { evictPod } from "./eviction";
import { QUOTA_CHARGE_ATTEMPTS, forgetQuotaFree, isQuotaConflict, noQuotaGuards, quotaWrites, type PendingQuotas } from "./quota-admission";

interface RegistryOptions {
  now: () => number;
  /** Pod defaulting (toleration seconds): the cluster configuration's, from one place. */
  defaults: DefaultingConfig;
  hooks?: RegistryHooks;
  /**
   * The field manager of writes that name none (the component's upstream name:
   * kubelet, kube-scheduler, kube-controller-manager); kube-apiserver by default.
   */
  fieldManager?: string;
  /**
   * The writer's client-side rate limit (rest.Config QPS/Burst): waited on before each
   * write, one request per object written. Events do not wait: upstream records them
   * asynchronously (the event broadcaster) and never holds a controller back for them.
   */
  limiter?: { wait(requests: number): Promise<void> };
}

/** Requests a batch stands for, as upstream would send them one object per call (events aside). */
function requestsOf(ops: readonly { resource: string }[]): number {
  let n = 0;
  for (const op of ops) if (op.resource !== "events") n++;
  return n;
}

interface WriteOptions extends FieldManagerOptions {
  dryRun?: boolean;
}

interface UpdateOptions extends WriteOptions {
  /** The stored object the update was computed from. */
  old: KubeObject;
  /** The resourceVersion the write is conditional on (default: old's). */
  expectedRv?: number;
  subresource?: WriteSubresource;
}

/** A name from generateName is drawn this often before a clash reaches the caller (upstream's RetryGenerateName). */
const GENERATE_NAME_ATTEMPTS = 8;
/** Times a create runs again after what its admission read changed before it committed. */
const ADMISSION_SNAPSHOT_ATTEMPTS = 5;

const BY_KEY = new Map<string, ResourceInfo>(STORED_RESOURCES.map((r) => [storageKey(r), r]));

/** Kinds whose schema has a spec: a struct, `{}` when not sent. Others (ConfigMap, Secret, Event...) have none. */
const HAS_SPEC = new Set(STORED_RESOURCES.filter((r) => definitionOfKind(r.group, r.version, r.kind)?.properties.spec).map(storageKey));


/**
 * A custom object is validated at the version it was sent at (its schema), then kept at
 * the CRD's storage version: with conversion "None" only apiVersion changes.
 */
function toStorageVersion(info: ResourceInfo, obj: KubeObject): void {
  if (info.custom) obj.apiVersion = storageApiVersion(info.custom.type);
}

/** Equal as stored (the resourceVersion aside). */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}

export class Registry {
  private readonly hooks: RegistryHooks;
  /** Objects this registry already prepared for create (their name and uid are final). */
  private readonly prepared = new WeakSet<KubeObject>();
  /** The custom resources the CRDs define (their objects are written here too). */
  readonly customTypes: CustomResourceTypes;

  constructor(
    readonly store: ObjectStore,
    private readonly opts: RegistryOptions,
    customTypes?: CustomResourceTypes,
  ) {
    this.hooks = opts.hooks ?? {};
    this.customTypes = customTypes ?? new CustomResourceTypes(store);
  }

  /**
   * This registry as another client of the same component sees it: its own rate limit,
   * the same store, hooks and CRD catalog. Upstream's kube-controller-manager builds one
   * clientset per controller (ClientBuilder.ClientOrDie(name)), and each clientset makes
   * its own token bucket from the shared --kube-api-qps/--kube-api-burst.
   */
  withLimiter(limiter: RegistryOptions["limiter"]): Registry {
    return new Registry(this.store, { ...this.opts, limiter }, this.customTypes);
  }

  /**
   * A resource by storage key: a built-in, or a custom resource at its storage version
   * from the catalog this isolate last read (`resolve` reads it afresh).
   */
  private resourceInfo(resource: string): ResourceInfo {
    const info = BY_KEY.get(resource) ?? this.customInfo(resource, this.customTypes.cached());
    if (!info) throw new Error(`unknown resource ${resource}`);
    return info;
  }

  private customInfo(resource: string, catalog: ReturnType<CustomResourceTypes["cached"]>): ResourceInfo | undefined {
    const type = catalog?.byStorageKey(resource);
    const version = type?.versions.find((v) => v.name === type.storageVersion);
    return type && version ? customResourceInfo(type, version) : undefined;
  }

  /** As resourceInfo, with the CRDs read as they are now for a custom resource. */
  private async resolve(resource: string): Promise<ResourceInfo> {
    const info = BY_KEY.get(resource) ?? this.customInfo(resource, await this.customTypes.catalog());
    if (!info) throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
    return info;
  }

  /**
   * What the server fills in on create (name from generateName, uid, defaults), for a
   * caller that needs them before the batch commits (an event naming the new pod).
   */
  prepareCreate<T extends KubeObject>(resource: string, obj: T): T {
    const info = this.resourceInfo(resource);
    this.checkTypes(info, obj);
    prepareForCreate(info, obj, { now: this.opts.now(), defaults: this.opts.defaults });
    this.prepared.add(obj);
    return obj;
  }

  /**
   * A create. A name drawn from generateName that is taken already is drawn again, up to
   * GENERATE_NAME_ATTEMPTS times in all (RetryGenerateName, GA in Kubernetes 1.32), so
   * concurrent creates with one generateName all succeed with distinct names.
   */
  async create(resource: string, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    // What admission read may have changed by the time the batch commits (its snapshot,
    // admission-snapshot.ts, is checked there): then the create runs again from the
    // object as it came, and reads afresh.
    const original = strategyForInfo(await this.resolve(resource)).admit ? structuredClone(obj) : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.createNamed(resource, attempt === 1 || !original ? obj : structuredClone(original), opts);
      } catch (e) {
        if (!original || attempt >= ADMISSION_SNAPSHOT_ATTEMPTS || !isSnapshotConflict(e)) throw e;
      }
    }
  }

  private async createNamed(resource: string, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    if (obj.metadata.name || !obj.metadata.generateName) return this.createOnce(resource, obj, opts);
    for (let attempt = 1; ; attempt++) {
      const candidate = structuredClone(obj);
      try {
        return await this.createOnce(resource, candidate, opts);
      } catch (e) {
        if (attempt >= GENERATE_NAME_ATTEMPTS || !(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
      }
    }
  }

  private async createOnce(resource: string, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    await this.opts.limiter?.wait(requestsOf([{ resource }]));
    const info = await this.resolve(resource);
    if (info.custom?.type.terminating) {
      throw methodNotAllowed("create not allowed while custom resource definition is terminating");
    }
    if (!obj.metadata.name && !obj.metadata.generateName) {
      throw invalid(info.kind, "", [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }], info.group);
    }
    const requested = obj.metadata.managedFields;
    this.prepareCreate(resource, obj);
    const strategy = strategyForInfo(info);
    const memo = admissionMemo(!!opts.dryRun);
    const admitted = await this.admitCreate(info, obj, memo);
    this.validate(info, obj);
    toStorageVersion(info, obj);
    this.trackCreate(info, obj, admitted, requested, opts);
    // NamespaceLifecycle: a create that claims something first (a Service's addresses)
    // or has no batch (a dry run) reads the namespace; any other has its batch check it
    // in the same transaction (the store explains a failed check as the same 404 / 403).
    const namespace = info.namespaced ? (obj.metadata.namespace ?? "") : undefined;
    const readNamespace = namespace !== undefined && (!!opts.dryRun || !!strategy.beforeCreate);
    if (readNamespace) await ensureNamespaceActive(this.store, info, namespace);
    await strategy.beforeCreate?.(obj, this.hooks, !!opts.dryRun);
    if (opts.dryRun) {
      await quotaWrites(this.store, resource, obj, undefined, this.opts.now(), { fresh: true });
      if (await this.store.get(resource, obj.metadata.namespace ?? "", obj.metadata.name!)) throw alreadyExists(resource, obj.metadata.name!);
      return obj;
    }
    try {
      const guards = { activeNamespaces: namespace !== undefined && !readNamespace ? [namespace] : [], unchanged: snapshotGuards(memo) };
      return await this.charged(resource, obj, undefined, (quotas) => [{ op: "create", resource, object: obj }, ...quotas], guards);
    } catch (e) {
      // What beforeCreate claimed belongs to this attempt's uid alone: give it back.
      await strategy.afterDelete?.(obj, this.hooks);
      throw e;
    }
  }

  /** An update (PUT, or /status) of `next`, computed from `opts.old`. */
  async update(resource: string, next: KubeObject, opts: UpdateOptions): Promise<KubeObject> {
    await this.opts.limiter?.wait(requestsOf([{ resource }]));
    const info = await this.resolve(resource);
    const expectedRv = opts.expectedRv ?? Number(opts.old.metadata.resourceVersion);
    const prepared = await this.prepareUpdate(info, next, opts.old, opts.subresource, !!opts.dryRun, opts);
    if (opts.dryRun) {
      if (!opts.subresource) await quotaWrites(this.store, resource, prepared, opts.old, this.opts.now(), { fresh: true });
      return prepared;
    }
    // The last finalizer gone from an object being deleted: the update deletes it.
    if (shouldDeleteDuringUpdate(resource, prepared, opts.old)) {
      const removed = await this.store.remove(resource, { ...prepared, metadata: { ...prepared.metadata, resourceVersion: String(expectedRv) } });
      await strategyForInfo(info).afterDelete?.(removed, this.hooks);
      return removed;
    }
    // Nothing changed: no write and no new resourceVersion, as the API server skips it.
    if (sameContent(prepared, opts.old)) return opts.old;
    // What an update adds (a claim grown, a Service made a LoadBalancer) is charged too.
    if (opts.subresource) return this.store.update(resource, prepared, expectedRv);
    return this.charged(resource, prepared, opts.old, (quotas) => [{ op: "update", resource, object: prepared, expectedRv }, ...quotas]);
  }

  /**
   * Commit a write with the quota charges it needs, in one batch; checked and charged
   * again while another write moved one of the quotas first. The write is the first op.
   */
  private async charged(
    resource: string,
    obj: KubeObject,
    old: KubeObject | undefined,
    ops: (quotas: StoreWriteOp[]) => StoreWriteOp[],
    guards: { activeNamespaces?: string[]; unchanged?: Fingerprint[] } = {},
  ): Promise<KubeObject> {
    for (let attempt = 1; ; attempt++) {
      const charge = await quotaWrites(this.store, resource, obj, old, this.opts.now());
      try {
        const [stored] = await this.store.commit(ops(charge.writes), { ...guards, absent: noQuotaGuards(charge.noQuotaIn ? [charge.noQuotaIn] : []) });
        return stored;
      } catch (e) {
        if (charge.noQuotaIn) forgetQuotaFree(charge.noQuotaIn);
        if (isSnapshotConflict(e)) forgetSnapshots(guards.unchanged ?? []);
        if ((!charge.writes.length && !charge.noQuotaIn) || attempt >= QUOTA_CHARGE_ATTEMPTS || !isQuotaConflict(e)) throw e;
      }
    }
  }

  /**
   * Read, `mutate` (a patch applied to a copy of the current object), update; again,
   * on the object as it is then, when another write got in between (GuaranteedUpdate).
   * The patched object carries the version it was computed from; a different one means
   * the patch itself set metadata.resourceVersion, a precondition: when that is not the
   * current version the answer is 409, never a retry.
   */
  async patch(resource: string, namespace: string, name: string, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, opts: WriteOptions & { subresource?: WriteSubresource } = {}): Promise<KubeObject> {
    let preconditionFailed = false;
    return retryOnConflict(
      async () => {
        const current = await this.store.mustGet(resource, namespace, name);
        const next = await mutate(structuredClone(current));
        const pinned = next.metadata?.resourceVersion;
        if (pinned && pinned !== current.metadata.resourceVersion) {
          preconditionFailed = true;
          throw conflict(resource, name);
        }
        return this.update(resource, next, { ...opts, old: current });
      },
      GUARANTEED_UPDATE_ATTEMPTS,
      (e) => isConflict(e) && !preconditionFailed,
    );
  }

  /** The pods/binding subresource: its own rules (nodeName set once), not the pod's update strategy. */
  async bind(namespace: string, name: string, nodeName: string): Promise<Pod> {
    await this.opts.limiter?.wait(1);
    return bindPod(this.store, namespace, name, nodeName, this.opts.now());
  }

  /** A delete request: graceful, finalized or at once (deletion.ts), then the resource's afterDelete. */
  async delete(resource: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    strategyForInfo(await this.resolve(resource)).checkDelete?.(namespace, name);
    await this.opts.limiter?.wait(requestsOf([{ resource }]));
    const result = await deleteObject(this.store, resource, namespace, name, opts, this.opts.now());
    if (result.deleted && !opts.dryRun) await strategyForInfo(await this.resolve(resource)).afterDelete?.(result.object, this.hooks);
    return result;
  }

  /**
   * pods/NAME/eviction: a delete that honours the PodDisruptionBudgets guarding the pod,
   * committed together with the budget it spends (eviction.ts).
   */
  async evict(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const budgets = BY_KEY.get(PDB_RESOURCE)!;
    const result = await evictPod({ store: this.store, now: this.opts.now, prepareStatus: (next, old) => this.prepareUpdate(budgets, next, old, "status", false) }, namespace, name, opts);
    if (result.deleted && !opts.dryRun) await strategyForInfo(await this.resolve("pods")).afterDelete?.(result.object, this.hooks);
    return result;
  }

  /**
   * A batch, atomically, in ONE store commit: each op through its strategy and
   * validation first (nothing is written if one is invalid); creates only into
   * namespaces that are active, checked inside the same transaction.
   */
  async commit(ops: WriteOp[]): Promise<KubeObject[]> {
    await this.opts.limiter?.wait(requestsOf(ops));
    const writes = [];
    const namespaces = new Set<string>();
    const memo = admissionMemo();
    // Quotas charged by earlier creates of this batch: their updates ride at its end.
    const pending: PendingQuotas = new Map();
    const quotaFree = new Set<string>();
    for (const op of ops) {
      const info = await this.resolve(op.resource);
      if (op.op === "create") {
        const requested = op.object.metadata.managedFields;
        if (!this.prepared.has(op.object)) this.prepareCreate(op.resource, op.object);
        const admitted = await this.admitCreate(info, op.object, memo);
        this.validate(info, op.object);
        toStorageVersion(info, op.object);
        this.trackCreate(info, op.object, admitted, requested, {});
        await strategyForInfo(info).beforeCreate?.(op.object, this.hooks, false);
        const charge = await quotaWrites(this.store, op.resource, op.object, undefined, this.opts.now(), { pending });
        if (charge.noQuotaIn) quotaFree.add(charge.noQuotaIn);
        // Events ride in the same batch as the status they describe: a terminating
        // namespace must not hold back a kubelet's report that its pods stopped.
        if (info.namespaced && op.resource !== "events" && op.object.metadata.namespace) namespaces.add(op.object.metadata.namespace);
        writes.push(op);
      } else if (op.op === "update" && op.old) {
        const object = await this.prepareUpdate(info, op.object, op.old, op.subresource, false);
        writes.push({ op: "update" as const, resource: op.resource, object, expectedRv: op.expectedRv });
      } else {
        if (op.op === "update") this.validate(info, op.object);
        writes.push(op);
      }
    }
    const charges = [...pending.values()].map((q) => ({ op: "update" as const, resource: "resourcequotas", object: q, expectedRv: Number(q.metadata.resourceVersion) }));
    let stored: KubeObject[];
    try {
      stored = (await this.store.commit([...writes, ...charges], { activeNamespaces: [...namespaces], absent: noQuotaGuards(quotaFree), unchanged: snapshotGuards(memo) })).slice(0, writes.length);
    } catch (e) {
      // A quota met where none was expected, or what admission read has changed: the
      // caller's retry reads afresh.
      for (const ns of quotaFree) forgetQuotaFree(ns);
      if (isSnapshotConflict(e)) forgetSnapshots(snapshotGuards(memo));
      throw e;
    }
    for (const [i, op] of ops.entries()) if (op.op === "delete") await strategyForInfo(await this.resolve(op.resource)).afterDelete?.(stored[i], this.hooks);
    return stored;
  }

  private async prepareUpdate(info: ResourceInfo, next: KubeObject, old: KubeObject, subresource: WriteSubresource | undefined, dryRun: boolean, opts: FieldManagerOptions = {}): Promise<KubeObject> {
    this.checkTypes(info, next);
    const requested = next.metadata.managedFields;
    const strategy = strategyForInfo(info);
    const prepared =
      subresource === "status" ? prepareForStatusUpdate(next, old) : subresource === "ephemeralcontainers" ? prepareForEphemeralContainersUpdate(next, old) : prepareForUpdate(info, next, old);
    if (subresource === "status") strategy.prepareForStatusUpdate?.(prepared, old);
    this.validate(info, prepared, old);
    toStorageVersion(info, prepared);
    if (!subresource) {
      await strategy.admit?.(prepared, old, this.store, this.opts.now());
      await strategy.beforeUpdate?.(prepared, old, this.hooks, dryRun);
    }
    this.track(info, prepared, old, requested, subresource, opts);
    return prepared;
  }

  /** metadata.managedFields after this write (field-manager.ts). */
  /**
   * Admission of a new object. Returns the object as it was before admission changed it
   * (when the resource has an admission step): the API server records managedFields
   * before admission runs, so what admission adds (a token volume, a default
   * StorageClass) belongs to no manager.
   */
  private async admitCreate(info: ResourceInfo, obj: KubeObject, memo?: AdmissionMemo): Promise<KubeObject | undefined> {
    const strategy = strategyForInfo(info);
    if (!strategy.admit) return undefined;
    const before = structuredClone(obj);
    await strategy.admit(obj, undefined, this.store, this.opts.now(), memo);
    return before;
  }

  /** managedFields of a create, from the object as it was before admission. */
  private trackCreate(info: ResourceInfo, obj: KubeObject, beforeAdmission: KubeObject | undefined, requested: unknown, opts: FieldManagerOptions): void {
    if (!beforeAdmission) return this.track(info, obj, undefined, requested, undefined, opts);
    toStorageVersion(info, beforeAdmission);
    this.track(info, beforeAdmission, undefined, requested, undefined, opts);
    if (beforeAdmission.metadata.managedFields) obj.metadata.managedFields = beforeAdmission.metadata.managedFields;
    else delete obj.metadata.managedFields;
  }

  private track(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, requested: unknown, subresource: WriteSubresource | undefined, opts: FieldManagerOptions): void {
    const manager = opts.fieldManager ?? this.opts.fieldManager ?? "kube-apiserver";
    trackManagedFields(info, obj, old, requested, writerOf(info, manager, this.opts.now(), subresource), !!opts.applied);
  }

  /**
   * JSON types before anything reads the object: defaulting and the strategies assume
   * them, as the API server's typed decoding guarantees them. A missing spec is the
   * empty struct Go would decode.
   */
  private checkTypes(info: ResourceInfo, obj: KubeObject): void {
    const causes = typeErrors(storageKey(info), obj);
    if (causes.length) throw invalid(info.kind, typeof obj.metadata?.name === "string" ? obj.metadata.name : "", causes, info.group);
    if (obj.spec == null && HAS_SPEC.has(storageKey(info))) obj.spec = {};
  }

  private validate(info: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
    const strategy = strategyForInfo(info);
    const causes = strategy.validate ? strategy.validate(obj, old) : validateObject(storageKey(info), obj, old);
    if (causes.length) throw invalid(info.kind, obj.metadata.name ?? "", causes, info.group);
  }
}
