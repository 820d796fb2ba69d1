// Server-side printing: turns stored objects into a meta.k8s.io/v1 Table, which
// `kubectl get` asks for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io)
// and prints verbatim. Columns follow kubernetes/pkg/printers/internalversion.
import type { KubeObject } from "../../model/types";
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from "./config";
import { defaultPrinter } from "./default";
import { controllerRevisionPrinter, daemonSetPrinter } from "./daemonsets";
import { deploymentPrinter } from "./deployments";
import { endpointsPrinter } from "./endpoints";
import { endpointSlicePrinter } from "./endpointslices";
import { eventPrinter } from "./events";
import { hpaPrinter } from "./hpa";
import { cronJobPrinter, jobPrinter } from "./jobs";
import { leasePrinter } from "./leases";
import { namespacePrinter } from "./namespaces";
import { nodePrinter } from "./nodes";
import { podPrinter } from "./pods";
import { replicaSetPrinter } from "./replicasets";
import { replicationControllerPrinter } from "./replicationcontrollers";
import { servicePrinter } from "./services";
import { statefulSetPrinter } from "./statefulsets";
import { roleBindingPrinter, rolePrinter } from "./rbac";
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from "./storage";
import { crdPrinter } from "./custom-resources";
import { priorityClassPrinter } from "./scheduling";
import { podDisruptionBudgetPrinter } from "./poddisruptionbudgets";
import { ingressClassPrinter, ingressPrinter } from "./ingress";
import { limitRangePrinter, resourceQuotaPrinter } from "./quota";
import type { IncludeObject, Printer, Table, TableRow } from "./types";

export type { IncludeObject } from "./types";
export { formatAge } from "./common";

/** Keyed by storage key (resource, or resource.group for named groups). */
const PRINTERS = new Map<string, Printer>([
  ["pods", podPrinter],
  ["nodes", nodePrinter],
  ["namespaces", namespacePrinter],
  ["events", eventPrinter],
  ["leases.coordination.k8s.io", leasePrinter],
  ["deployments.apps", deploymentPrinter],
  ["replicasets.apps", replicaSetPrinter],
  ["replicationcontrollers", replicationControllerPrinter],
  ["daemonsets.apps", daemonSetPrinter],
  ["statefulsets.apps", statefulSetPrinter],
  ["controllerrevisions.apps", controllerRevisionPrinter],
  ["jobs.batch", jobPrinter],
  ["cronjobs.batch", cronJobPrinter],
  ["horizontalpodautoscalers.autoscaling", hpaPrinter],
  ["poddisruptionbudgets.policy", podDisruptionBudgetPrinter],
  ["services", servicePrinter],
  ["endpoints", endpointsPrinter],
  ["endpointslices.discovery.k8s.io", endpointSlicePrinter],
  ["persistentvolumes", persistentVolumePrinter],
  ["persistentvolumeclaims", persistentVolumeClaimPrinter],
  ["storageclasses.storage.k8s.io", storageClassPrinter],
  ["priorityclasses.scheduling.k8s.io", priorityClassPrinter],
  ["configmaps", configMapPrinter],
  ["secrets", secretPrinter],
  ["serviceaccounts", serviceAccountPrinter],
  ["resourcequotas", resourceQuotaPrinter],
  ["limitranges", limitRangePrinter],
  ["roles.rbac.authorization.k8s.io", rolePrinter],
  ["clusterroles.rbac.authorization.k8s.io", rolePrinter],
  ["rolebindings.rbac.authorization.k8s.io", roleBindingPrinter],
  ["clusterrolebindings.rbac.authorization.k8s.io", roleBindingPrinter],
  ["customresourcedefinitions.apiextensions.k8s.io", crdPrinter],
  ["ingresses.networking.k8s.io", ingressPrinter],
  ["ingressclasses.networking.k8s.io", ingressClassPrinter],
]);

interface ToTableOptions {
  /** Clock for the Age-style cells, in ms since the epoch. */
  now: number;
  /** TableOptions.includeObject; kubectl sends nothing, which means Metadata. */
  includeObject?: IncludeObject;
  resourceVersion?: string;
  continue?: string;
  /** TableOptions.noHeaders: watch events after the first omit the columns. */
  omitHeaders?: boolean;
  /** The printer of a resource not in the table (a custom resource's). */
  printer?: Printer;
}

/** What each row carries in `object`, as the apiserver's asTable does. */
function rowObject(item: KubeObject, include: IncludeObject): unknown {
  switch (include) {
    case "Object":
      return item;
    case "None":
      return null;
    case "Metadata":
      // kubectl needs the metadata for -A (namespace), --show-labels and -L.
      return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: item.metadata };
  }
}

export function toTable(resource: string, items: KubeObject[], opts: ToTableOptions): Table {
  const printer = opts.printer ?? PRINTERS.get(resource) ?? defaultPrinter;
  const include = opts.includeObject ?? "Metadata";
  const rows = items.map((item): TableRow => {
    const conditions = printer.conditions?.(item);
    const cells = printer.cells(item, opts.now);
    const object = rowObject(item, include);
    return conditions ? { cells, conditions, object } : { cells, object };
  });
  const metadata: Table["metadata"] = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: opts.omitHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
