// One resource's rules around a write (upstream's pkg/registry/<group>/<resource>/
// strategy.go): what the server fills in, what an update may change, how the object
// is validated, and what must happen next to the write (Service addresses).
import type { KubeObject, StatusCause } from "../../model/types";
import type { DefaultingConfig } from "../defaults";
import type { RegistryHooks } from "../hooks";
import type { ObjectStore } from "../../store/store";

export interface StrategyContext {
  now: number;
  defaults: DefaultingConfig;
}

/**
 * What one admission round has read already, shared by the objects of one batch
 * (a commit of many pods reads the PriorityClasses once). Keyed by what was read.
 */
export type AdmissionMemo = Map<string, unknown>;

export interface ResourceStrategy {
  /** metadata.generation starts at 1 and moves whenever spec changes. */
  tracksGeneration?: boolean;
  /** Defaults and a server-owned status on a new object (metadata is filled in before). */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  /** An update of the main resource, after server metadata and status were kept from `old`. */
  prepareForUpdate?(next: KubeObject, old: KubeObject): void;
  /** Whether an update moves metadata.generation (default: spec changed). */
  generationChanged?(next: KubeObject, old: KubeObject): boolean;
  /** An update through /status, after everything but status was kept from `old`. */
  prepareForStatusUpdate?(next: KubeObject, old: KubeObject): void;
  /** 422 causes; `old` on an update. Defaults to the model's validateObject. */
  validate?(obj: KubeObject, old?: KubeObject): StatusCause[];
  /**
   * Admission that reads other objects (DefaultStorageClass, PersistentVolumeClaimResize):
   * on a create (`old` absent) before validation, on an update of the main resource
   * after it. Mutates the object or throws the admission's error.
   */
  admit?(obj: KubeObject, old: KubeObject | undefined, store: ObjectStore, now: number, memo?: AdmissionMemo): Promise<void>;
  /** After validation, before the store writes a new object. */
  beforeCreate?(obj: KubeObject, hooks: RegistryHooks, dryRun: boolean): Promise<void>;
  /** After validation, before the store writes an update of the main resource. */
  beforeUpdate?(obj: KubeObject, old: KubeObject, hooks: RegistryHooks, dryRun: boolean): Promise<void>;
  /** A delete request, before anything is read: throws when this object may never be deleted. */
  checkDelete?(namespace: string, name: string): void;
  /** After the store removed the object. */
  afterDelete?(obj: KubeObject, hooks: RegistryHooks): Promise<void>;
}
