// ClusterRole aggregation (pkg/controller/clusterroleaggregation): a ClusterRole with
// an aggregationRule holds the rules of every other ClusterRole its selectors match,
// in name order, each rule once. Aggregated roles can feed others (edit is labeled to
// join admin), so the rules are computed to a fixed point in one go.
import type { ClusterRole, PolicyRule } from "./types";
import { matchesLabels, selectorFromLabelSelector } from "./label-selector";

function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  const norm = (r: PolicyRule) => JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
  return norm(a) === norm(b);
}

/** The rules each aggregating ClusterRole should hold, by name. */
export function aggregatedRules(roles: readonly ClusterRole[]): Map<string, PolicyRule[]> {
  const current = new Map(roles.map((r) => [r.metadata.name ?? "", r.rules ?? []]));
  const sorted = [...roles].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
  const aggregating = sorted.filter((r) => r.aggregationRule?.clusterRoleSelectors?.length);
  // Each pass can only add rules that exist somewhere, so this ends; the bound guards a bug.
  for (let pass = 0; pass <= roles.length; pass++) {
    let changed = false;
    for (const target of aggregating) {
      const name = target.metadata.name ?? "";
      const rules: PolicyRule[] = [];
      for (const sel of target.aggregationRule!.clusterRoleSelectors!) {
        const reqs = selectorFromLabelSelector(sel);
        for (const role of sorted) {
          if (role.metadata.name === name || !matchesLabels(reqs, role.metadata.labels)) continue;
          for (const rule of current.get(role.metadata.name ?? "") ?? []) if (!rules.some((r) => sameRule(r, rule))) rules.push(rule);
        }
      }
      const before = current.get(name) ?? [];
      if (before.length !== rules.length || before.some((r, i) => !sameRule(r, rules[i]))) {
        current.set(name, rules);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return new Map(aggregating.map((r) => [r.metadata.name ?? "", current.get(r.metadata.name ?? "") ?? []]));
}
