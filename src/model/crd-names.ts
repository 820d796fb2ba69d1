// The CRD naming controller's decision (apiextensions' naming controller), pure: which
// of a CRD's requested names it may have, given the names other CRDs of its group were
// accepted under and the built-in resources of that group. First come, first served:
// a name in use keeps the CRD's previously accepted one and says why.
import type { CRDCondition, CRDNames, CustomResourceDefinition } from "./crd-types";
import { builtInNameTaken } from "./custom-resources";

interface NamingResult {
  acceptedNames: CRDNames;
  namesAccepted: Omit<CRDCondition, "lastTransitionTime">;
}

export function calculateNames(crd: CustomResourceDefinition, others: readonly CustomResourceDefinition[]): NamingResult {
  const requested = crd.spec.names;
  const accepted: CRDNames = crd.status?.acceptedNames ?? { plural: "", kind: "" };
  const group = crd.spec.group;
  const peers = others.filter((o) => o.spec.group === group && o.metadata.name !== crd.metadata.name);
  const resourceNames = new Set<string>();
  const kindNames = new Set<string>();
  for (const o of peers) {
    const n = o.status?.acceptedNames;
    if (!n) continue;
    for (const x of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (x) resourceNames.add(x);
    for (const x of [n.kind, n.listKind]) if (x) kindNames.add(x);
  }
  const taken = (name: string) => resourceNames.has(name) || builtInNameTaken(group, name);
  const kindTaken = (kind: string) => kindNames.has(kind) || builtInNameTaken(group, kind);

  const names: CRDNames = { ...accepted };
  let condition: NamingResult["namesAccepted"] | undefined;
  const conflict = (reason: string, name: string) => {
    condition ??= { type: "NamesAccepted", status: "False", reason, message: `"${name}" is already in use` };
  };
  if (taken(requested.plural)) conflict("PluralConflict", requested.plural);
  else names.plural = requested.plural;
  const singular = requested.singular ?? "";
  if (singular && taken(singular)) conflict("SingularConflict", singular);
  else names.singular = singular;
  const shortTaken = (requested.shortNames ?? []).find(taken);
  if (shortTaken) conflict("ShortNamesConflict", shortTaken);
  else names.shortNames = requested.shortNames;
  if (kindTaken(requested.kind)) conflict("KindConflict", requested.kind);
  else names.kind = requested.kind;
  const listKind = requested.listKind ?? "";
  if (listKind && kindTaken(listKind)) conflict("ListKindConflict", listKind);
  else names.listKind = listKind;
  // Categories are shared by design ("all"): never a conflict.
  names.categories = requested.categories;
  for (const k of Object.keys(names) as (keyof CRDNames)[]) if (names[k] === undefined) delete names[k];
  return { acceptedNames: names, namesAccepted: condition ?? { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" } };
}
