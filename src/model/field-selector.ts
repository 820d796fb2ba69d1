// Field selectors (`fieldSelector=`): parsing as k8s.io/apimachinery/pkg/fields does,
// the per-kind table of selectable fields (the API server's field label conversion
// functions plus ToSelectableFields), matching, and the equalities worth pushing down
// to SQL (name, namespace, nodeName).
import type { KubeObject } from "./types";
import { badRequest } from "./errors";

type FieldOperator = "=" | "==" | "!=";

interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

interface FieldSelectorPushdown {
  name?: string;
  namespace?: string;
  /** "" is meaningful: pods not yet scheduled. */
  nodeName?: string;
}

interface ParsedFieldSelector {
  requirements: FieldRequirement[];
  matches(obj: KubeObject): boolean;
  pushdown: FieldSelectorPushdown;
}

type Getter = (obj: KubeObject) => string;

interface KindFields {
  fields: Record<string, Getter>;
  /** Old spellings the API server rewrites (pods: spec.host -> spec.nodeName). */
  aliases?: Record<string, string>;
  reject: (field: string) => string;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
const spec = (o: KubeObject) => rec(o.spec);
const status = (o: KubeObject) => rec(o.status);

const metaName: Getter = (o) => str(o.metadata?.name);
const metaNamespace: Getter = (o) => str(o.metadata?.namespace);

const fieldLabelNotSupported = (field: string) => `field label not supported: ${field}`;

const podIP: Getter = (o) => {
  const ips = status(o).podIPs;
  if (Array.isArray(ips) && ips.length) return str(rec(ips[0]).ip);
  return str(status(o).podIP);
};

const involved = (k: string): Getter => (o) => str(rec(o.involvedObject)[k]);

// Keyed by storage key ("pods", "deployments.apps").
const KINDS: Record<string, KindFields> = {
  pods: {
    fields: {
      "metadata.name": metaName,
      "metadata.namespace": metaNamespace,
      "spec.nodeName": (o) => str(spec(o).nodeName),
      "spec.restartPolicy": (o) => str(spec(o).restartPolicy),
      "spec.schedulerName": (o) => str(spec(o).schedulerName),
      "spec.serviceAccountName": (o) => str(spec(o).serviceAccountName),
      "spec.hostNetwork": (o) => String(spec(o).hostNetwork === true),
      "status.phase": (o) => str(status(o).phase),
      "status.podIP": podIP,
      // Accepted by the conversion but not a selectable field upstream: always "".
      "status.podIPs": () => "",
      "status.nominatedNodeName": (o) => str(status(o).nominatedNodeName),
    },
    aliases: { "spec.host": "spec.nodeName" },
    reject: fieldLabelNotSupported,
  },
  events: {
    fields: {
      "metadata.name": metaName,
      "metadata.namespace": metaNamespace,
      "involvedObject.kind": involved("kind"),
      "involvedObject.namespace": involved("namespace"),
      "involvedObject.name": involved("name"),
      "involvedObject.uid": involved("uid"),
      "involvedObject.apiVersion": involved("apiVersion"),
      "involvedObject.resourceVersion": involved("resourceVersion"),
      "involvedObject.fieldPath": involved("fieldPath"),
      reason: (o) => str(o.reason),
      reportingComponent: (o) => str(o.reportingComponent),
      // Upstream falls back to the reporting controller when source.component is empty.
      source: (o) => str(rec(o.source).component) || str(o.reportingComponent),
      type: (o) => str(o.type),
    },
    reject: fieldLabelNotSupported,
  },
  nodes: {
    fields: {
      "metadata.name": metaName,
      "spec.unschedulable": (o) => String(spec(o).unschedulable === true),
    },
    reject: fieldLabelNotSupported,
  },
  namespaces: {
    fields: {
      "metadata.name": metaName,
      "status.phase": (o) => str(status(o).phase),
    },
    reject: fieldLabelNotSupported,
  },
};

// Kinds without their own conversion use runtime.DefaultMetaV1FieldSelectorConversion.
const METADATA_ONLY: KindFields = {
  fields: { "metadata.name": metaName, "metadata.namespace": metaNamespace },
  reject: (field) => `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

/** Split on commas not escaped with a backslash (the backslash stays for unescaping). */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS: FieldOperator[] = ["!=", "==", "="];

function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new Error("invalid field selector: invalid escape sequence: \\");
  return out;
}

function parseTerms(selector: string): FieldRequirement[] {
  // Upstream sorts the terms, which also decides which bad term is reported first.
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const t = splitTerm(part);
    if (!t) throw new Error(`invalid selector: '${selector}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, operator: t.op, value: unescapeValue(t.rhs) });
  }
  return reqs;
}

/**
 * Parse a `fieldSelector=` value for a resource (its storage key, "pods",
 * "deployments.apps"). Unknown fields are 400 BadRequest with the API server's text.
 */
export function parseFieldSelector(s: string, resource: string): ParsedFieldSelector {
  const kind = KINDS[resource] ?? METADATA_ONLY;
  let requirements: FieldRequirement[];
  try {
    requirements = parseTerms(s).map((r) => {
      const field = kind.aliases?.[r.field] ?? r.field;
      if (!kind.fields[field]) throw new Error(kind.reject(r.field));
      return { ...r, field };
    });
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  const checks = requirements.map((r) => {
    const get = kind.fields[r.field];
    return r.operator === "!=" ? (o: KubeObject) => get(o) !== r.value : (o: KubeObject) => get(o) === r.value;
  });
  const pushdown: FieldSelectorPushdown = {};
  for (const r of requirements) {
    if (r.operator === "!=") continue;
    if (r.field === "metadata.name") pushdown.name ??= r.value;
    else if (r.field === "metadata.namespace") pushdown.namespace ??= r.value;
    else if (r.field === "spec.nodeName") pushdown.nodeName ??= r.value;
  }
  return { requirements, matches: (obj) => checks.every((c) => c(obj)), pushdown };
}
