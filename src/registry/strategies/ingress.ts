// Ingresses and IngressClasses (pkg/registry/networking/ingress{,class}) and the
// DefaultIngressClass admission plugin: an Ingress that names no class (neither
// spec.ingressClassName nor the deprecated annotation) gets the default class, when
// one is marked. An Ingress's status is the controller's: reset on create.
import type { Ingress, IngressClass } from "../../model/ingress-types";
import { INGRESS_CLASSES, INGRESS_CLASS_ANNOTATION, defaultIngressClassOf } from "../../model/ingress";
import type { ObjectStore } from "../../store/store";
import type { ResourceStrategy } from "./types";

async function admitDefaultClass(ing: Ingress, store: ObjectStore): Promise<void> {
  if (ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return;
  if (ing.spec?.ingressClassName !== undefined && ing.spec.ingressClassName !== null) return;
  const classes = (await store.list(INGRESS_CLASSES, {})).items as IngressClass[];
  const def = defaultIngressClassOf(classes);
  if (def?.metadata.name) ing.spec = { ...ing.spec, ingressClassName: def.metadata.name };
}

export const ingressStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => {
    (obj as Ingress).status = { loadBalancer: {} };
  },
  admit: async (obj, old, store) => {
    if (!old) await admitDefaultClass(obj as Ingress, store);
  },
};

/** The v1 default: parameters without a scope are cluster-scoped. */
function defaultScope(ic: IngressClass): void {
  const p = ic.spec?.parameters;
  if (p && (p.scope === undefined || p.scope === null)) p.scope = "Cluster";
}

export const ingressClassStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => defaultScope(obj as IngressClass),
  prepareForUpdate: (next) => defaultScope(next as IngressClass),
};
