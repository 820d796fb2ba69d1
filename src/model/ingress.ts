// Names and small rules of Ingresses shared by the API server, the ingress controller
// and the Worker's router: the default class, which class an Ingress belongs to, and
// the controller name this cluster's ingress controller answers to.
import type { Ingress, IngressClass } from "./ingress-types";

/** The controller name of the cluster's own ingress controller (IngressClass spec.controller). */
export const EDGEKUBE_INGRESS_CONTROLLER = "edgekube.dev/ingress";
/** The class bootstrap creates and marks default. */
export const DEFAULT_INGRESS_CLASS = "nginx";

export const IS_DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
/** The deprecated way to name a class, still honoured by controllers (ingress-nginx does). */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

export const INGRESSES = "ingresses.networking.k8s.io";
export const INGRESS_CLASSES = "ingressclasses.networking.k8s.io";

export function isDefaultIngressClass(c: Pick<IngressClass, "metadata">): boolean {
  return c.metadata.annotations?.[IS_DEFAULT_INGRESS_CLASS_ANNOTATION] === "true";
}

/**
 * The default class (the DefaultIngressClass admission plugin): of several marked
 * default, the newest, and of those created in the same second the first by name.
 */
export function defaultIngressClassOf(classes: readonly IngressClass[]): IngressClass | undefined {
  const marked = classes.filter(isDefaultIngressClass);
  marked.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1;
  });
  return marked[0];
}

/** The class an Ingress names: spec.ingressClassName, else the deprecated annotation, else "". */
export function ingressClassName(ing: Pick<Ingress, "spec" | "metadata">): string {
  return ing.spec?.ingressClassName ?? ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION] ?? "";
}

/** The names of the classes served by the cluster's own controller. */
export function ownClasses(classes: readonly IngressClass[]): Set<string> {
  return new Set(classes.filter((c) => c.spec?.controller === EDGEKUBE_INGRESS_CONTROLLER).map((c) => c.metadata.name ?? ""));
}
