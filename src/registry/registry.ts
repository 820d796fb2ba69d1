// The one path by which objects are written (the API server's generic registry store
// in front of etcd): every create, update, patch, delete and batch goes through the
// resource's strategy (./strategies) and validation before the store writes, and
// through its hooks around the write. The API handlers, the controllers, the kubelets
// and bootstrap all write through a Registry, so a controller that writes an invalid
// object gets the same 422 a user would.
import type { ObjectStore } from "../store/store";
import { deleteObject, shouldDeleteDuringUpdate, type DeleteOptions, type DeleteResult } from "./deletion";
import { retryOnConflict, isConflict, GUARANTEED_UPDATE_ATTEMPTS } from "../store/retry";
import type { KubeObject, Pod } from "../model/types";
import { bindPod } from "../store/binding";
import { RESOURCES, storageKey, type ResourceInfo } from "../model/resources";
import { ApiError, alreadyExists, conflict, invalid } from "../model/errors";
import { typeErrors, validateObject } from "../model/validation";
import type { DefaultingConfig } from "./defaults";
import type { RegistryHooks } from "./hooks";
import type { WriteOp } from "./ops";
import { strategyFor } from "./strategies";
import { definitionOfKind } from "../model/api-schema";
import { prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from "./strategy";
import { ensureNamespaceActive } from "./namespace-lifecycle";
import { trackManagedFields, writerOf, type FieldManagerOptions } from "./field-manager";

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
}

interface WriteOptions extends FieldManagerOptions {
  dryRun?: boolean;
}

interface UpdateOptions extends WriteOptions {
  /** The stored object the update was computed from. */
  old: KubeObject;
  /** The resourceVersion the write is conditional on (default: old's). */
  expectedRv?: number;
  subresource?: "status";
}

/** A name from generateName is drawn this often before a clash reaches the caller (upstream's RetryGenerateName). */
const GENERATE_NAME_ATTEMPTS = 8;

const BY_KEY = new Map<string, ResourceInfo>(RESOURCES.map((r) => [storageKey(r), r]));

/** Kinds whose schema has a spec: a struct, `{}` when not sent. Others (ConfigMap, Secret, Event...) have none. */
const HAS_SPEC = new Set(RESOURCES.filter((r) => definitionOfKind(r.group, r.version, r.kind)?.properties.spec).map(storageKey));

function resourceInfo(resource: string): ResourceInfo {
  const info = BY_KEY.get(resource);
  if (!info) throw new Error(`unknown resource ${resource}`);
  return info;
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

  constructor(
    readonly store: ObjectStore,
    private readonly opts: RegistryOptions,
  ) {
    this.hooks = opts.hooks ?? {};
  }

  /**
   * What the server fills in on create (name from generateName, uid, defaults), for a
   * caller that needs them before the batch commits (an event naming the new pod).
   */
  prepareCreate<T extends KubeObject>(resource: string, obj: T): T {
    this.checkTypes(resourceInfo(resource), obj);
    prepareForCreate(resourceInfo(resource), obj, { now: this.opts.now(), defaults: this.opts.defaults });
    this.prepared.add(obj);
    return obj;
  }

  /**
   * A create. A name drawn from generateName that is taken already is drawn again, up to
   * GENERATE_NAME_ATTEMPTS times in all (RetryGenerateName, GA in Kubernetes 1.32), so
   * concurrent creates with one generateName all succeed with distinct names.
   */
  async create(resource: string, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
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
    const info = resourceInfo(resource);
    if (!obj.metadata.name && !obj.metadata.generateName) {
      throw invalid(info.kind, "", [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }], info.group);
    }
    const requested = obj.metadata.managedFields;
    this.prepareCreate(resource, obj);
    this.validate(info, obj);
    this.track(info, obj, undefined, requested, undefined, opts);
    if (info.namespaced) await ensureNamespaceActive(this.store, info, obj.metadata.namespace ?? "");
    const strategy = strategyFor(resource);
    await strategy.beforeCreate?.(obj, this.hooks, !!opts.dryRun);
    if (opts.dryRun) {
      if (await this.store.get(resource, obj.metadata.namespace ?? "", obj.metadata.name!)) throw alreadyExists(resource, obj.metadata.name!);
      return obj;
    }
    try {
      return await this.store.create(resource, obj);
    } catch (e) {
      // What beforeCreate claimed belongs to this attempt's uid alone: give it back.
      await strategy.afterDelete?.(obj, this.hooks);
      throw e;
    }
  }

  /** An update (PUT, or /status) of `next`, computed from `opts.old`. */
  async update(resource: string, next: KubeObject, opts: UpdateOptions): Promise<KubeObject> {
    const info = resourceInfo(resource);
    const expectedRv = opts.expectedRv ?? Number(opts.old.metadata.resourceVersion);
    const prepared = await this.prepareUpdate(info, next, opts.old, opts.subresource, !!opts.dryRun, opts);
    if (opts.dryRun) return prepared;
    // The last finalizer gone from an object being deleted: the update deletes it.
    if (shouldDeleteDuringUpdate(resource, prepared, opts.old)) {
      const removed = await this.store.remove(resource, { ...prepared, metadata: { ...prepared.metadata, resourceVersion: String(expectedRv) } });
      await strategyFor(resource).afterDelete?.(removed, this.hooks);
      return removed;
    }
    // Nothing changed: no write and no new resourceVersion, as the API server skips it.
    if (sameContent(prepared, opts.old)) return opts.old;
    return this.store.update(resource, prepared, expectedRv);
  }

  /**
   * Read, `mutate` (a patch applied to a copy of the current object), update; again,
   * on the object as it is then, when another write got in between (GuaranteedUpdate).
   * The patched object carries the version it was computed from; a different one means
   * the patch itself set metadata.resourceVersion, a precondition: when that is not the
   * current version the answer is 409, never a retry.
   */
  async patch(resource: string, namespace: string, name: string, mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>, opts: WriteOptions & { subresource?: "status" } = {}): Promise<KubeObject> {
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
  bind(namespace: string, name: string, nodeName: string): Promise<Pod> {
    return bindPod(this.store, namespace, name, nodeName, this.opts.now());
  }

  /** A delete request: graceful, finalized or at once (deletion.ts), then the resource's afterDelete. */
  async delete(resource: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const result = await deleteObject(this.store, resource, namespace, name, opts, this.opts.now());
    if (result.deleted && !opts.dryRun) await strategyFor(resource).afterDelete?.(result.object, this.hooks);
    return result;
  }

  /**
   * A batch, atomically, in ONE store commit: each op through its strategy and
   * validation first (nothing is written if one is invalid); creates only into
   * namespaces that are active, checked inside the same transaction.
   */
  async commit(ops: WriteOp[]): Promise<KubeObject[]> {
    const writes = [];
    const namespaces = new Set<string>();
    for (const op of ops) {
      const info = resourceInfo(op.resource);
      if (op.op === "create") {
        const requested = op.object.metadata.managedFields;
        if (!this.prepared.has(op.object)) this.prepareCreate(op.resource, op.object);
        this.validate(info, op.object);
        this.track(info, op.object, undefined, requested, undefined, {});
        await strategyFor(op.resource).beforeCreate?.(op.object, this.hooks, false);
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
    const stored = await this.store.commit(writes, { activeNamespaces: [...namespaces] });
    for (const [i, op] of ops.entries()) if (op.op === "delete") await strategyFor(op.resource).afterDelete?.(stored[i], this.hooks);
    return stored;
  }

  private async prepareUpdate(info: ResourceInfo, next: KubeObject, old: KubeObject, subresource: "status" | undefined, dryRun: boolean, opts: FieldManagerOptions = {}): Promise<KubeObject> {
    this.checkTypes(info, next);
    const requested = next.metadata.managedFields;
    const prepared = subresource === "status" ? prepareForStatusUpdate(next, old) : prepareForUpdate(info, next, old);
    this.validate(info, prepared, old);
    if (subresource !== "status") await strategyFor(storageKey(info)).beforeUpdate?.(prepared, old, this.hooks, dryRun);
    this.track(info, prepared, old, requested, subresource, opts);
    return prepared;
  }

  /** metadata.managedFields after this write (field-manager.ts). */
  private track(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, requested: unknown, subresource: "status" | undefined, opts: FieldManagerOptions): void {
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
    const strategy = strategyFor(storageKey(info));
    const causes = strategy.validate ? strategy.validate(obj, old) : validateObject(storageKey(info), obj, old);
    if (causes.length) throw invalid(info.kind, obj.metadata.name ?? "", causes, info.group);
  }
}
