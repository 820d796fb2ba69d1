// DaemonSets (pkg/registry/apps/daemonset/strategy.go): defaulted on every write, an
// empty status on create, and the template generation, which apps/v1 carries in the
// deprecated.daemonset.template.generation annotation: 1 on create, one more each
// time an update changes the pod template, whatever the writer sent.
import type { DaemonSet } from "../../model/types";
import { defaultDaemonSetSpec } from "../defaults";
import { jsonEqual } from "../../model/validate-pod";
import type { ResourceStrategy } from "./types";

export const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

function setTemplateGeneration(ds: DaemonSet, generation: number): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: String(generation) };
}

function templateGeneration(ds: DaemonSet): number {
  const n = Number(ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export const daemonSetStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => {
    const ds = obj as DaemonSet;
    defaultDaemonSetSpec(ds);
    ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    setTemplateGeneration(ds, 1);
  },
  prepareForUpdate: (next, old) => {
    const ds = next as DaemonSet;
    const before = old as DaemonSet;
    defaultDaemonSetSpec(ds);
    const generation = templateGeneration(before);
    setTemplateGeneration(ds, jsonEqual(ds.spec?.template ?? null, before.spec?.template ?? null) ? generation : generation + 1);
  },
};
