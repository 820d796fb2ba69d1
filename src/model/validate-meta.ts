// ObjectMeta, labels, annotations and label selectors, as
// k8s.io/apimachinery/pkg/api/validation and .../apis/meta/v1/validation check them.
import type { LabelSelector, ObjectMeta, StatusCause } from "./types";
import { child, forbidden, index, invalidField, nonNegative, required, tooLong } from "./field-errors";
import { goStringSlice } from "./go-format";
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel } from "./name-rules";
import { utf8Length } from "../util/utf8";

export type NameFn = (name: string, prefix: boolean) => string[];

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: Record<string, string> | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(invalidField(path, k, msg));
    for (const msg of isValidLabelValue(v)) errs.push(invalidField(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys follow label-key syntax, but case does not matter.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalidField(path, k, msg));
    // Bytes, as upstream counts them: "€" is three.
    size += utf8Length(k) + (typeof v === "string" ? utf8Length(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: ObjectMeta["ownerReferences"], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  let firstController = "";
  for (const ref of refs ?? []) {
    const version = (ref.apiVersion ?? "").split("/").pop() ?? "";
    if (!version) errs.push(invalidField(child(path, "apiVersion"), ref.apiVersion ?? "", "version must not be empty"));
    if (!ref.kind) errs.push(invalidField(child(path, "kind"), ref.kind ?? "", "must not be empty"));
    if (!ref.name) errs.push(invalidField(child(path, "name"), ref.name ?? "", "must not be empty"));
    if (!ref.uid) errs.push(invalidField(child(path, "uid"), ref.uid ?? "", "must not be empty"));
    if (ref.controller) {
      const name = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push({
          reason: "FieldValueInvalid",
          field: path,
          message: `Invalid value: []v1.OwnerReference{...}: Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`,
        });
      } else firstController = name;
    }
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const f of finalizers ?? []) for (const msg of isQualifiedName(f)) errs.push(invalidField(path, f, msg));
  const all = new Set(finalizers ?? []);
  if (all.has("orphan") && all.has("foregroundDeletion")) {
    errs.push(invalidField(path, null, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

/** ValidateObjectMeta: names, namespace, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameFn: NameFn, path = "metadata"): StatusCause[] {
  const m = meta ?? {};
  const errs: StatusCause[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(invalidField(child(path, "generateName"), m.generateName, msg));
  }
  if (!m.name) errs.push(required(child(path, "name"), "name or generateName is required"));
  else for (const msg of nameFn(m.name, false)) errs.push(invalidField(child(path, "name"), m.name, msg));
  // Cluster-scoped objects: the API server silently clears a namespace before validating.
  if (namespaced) {
    if (!m.namespace) errs.push(required(child(path, "namespace")));
    else for (const msg of nameIsDNSLabel(m.namespace, false)) errs.push(invalidField(child(path, "namespace"), m.namespace, msg));
  }
  errs.push(...nonNegative(m.generation, child(path, "generation")));
  errs.push(...validateLabels(m.labels, child(path, "labels")));
  errs.push(...validateAnnotations(m.annotations, child(path, "annotations")));
  errs.push(...validateOwnerReferences(m.ownerReferences, child(path, "ownerReferences")));
  errs.push(...validateFinalizers(m.finalizers, child(path, "finalizers")));
  return errs;
}

/** ValidateObjectMetaUpdate's immutability rules (syntax is checked as on create). */
export function validateObjectMetaUpdate(next: ObjectMeta | undefined, old: ObjectMeta | undefined, path = "metadata"): StatusCause[] {
  const n = next ?? {};
  const o = old ?? {};
  const errs: StatusCause[] = [];
  const immutable = (field: "name" | "namespace" | "uid", value: string | undefined, before: string | undefined) => {
    if ((value ?? "") !== (before ?? "")) errs.push(invalidField(child(path, field), value ?? "", "field is immutable"));
  };
  immutable("name", n.name, o.name);
  immutable("namespace", n.namespace, o.namespace);
  // An update without a uid keeps the stored one, as the API server fills it in.
  if (n.uid) immutable("uid", n.uid, o.uid);
  if (o.deletionTimestamp) {
    const added = (n.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length) {
      errs.push(
        forbidden(
          child(path, "finalizers"),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice([...new Set(added)].sort())}`,
        ),
      );
    }
  }
  if (typeof n.generation === "number" && typeof o.generation === "number" && n.generation < o.generation) {
    errs.push(invalidField(child(path, "generation"), n.generation, "must not be decremented"));
  }
  return errs;
}

const SELECTOR_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

/** metav1 ValidateLabelSelector (strict: values must be valid label values). */
export function validateLabelSelector(sel: LabelSelector, path: string): StatusCause[] {
  const errs = validateLabels(sel.matchLabels, child(path, "matchLabels"));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const p = index(child(path, "matchExpressions"), i);
    const values = expr.values ?? [];
    if (expr.operator === "In" || expr.operator === "NotIn") {
      if (values.length === 0) errs.push(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (expr.operator === "Exists" || expr.operator === "DoesNotExist") {
      if (values.length > 0) errs.push(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else if (!SELECTOR_OPERATORS.includes(expr.operator)) {
      errs.push(invalidField(child(p, "operator"), expr.operator, "not a valid selector operator"));
    }
    for (const msg of isQualifiedName(expr.key ?? "")) errs.push(invalidField(child(p, "key"), expr.key ?? "", msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(invalidField(index(child(p, "values"), j), v, msg));
    });
  });
  return errs;
}
