// The CronTab CustomResourceDefinition of the Kubernetes documentation ("Extend the
// Kubernetes API with CustomResourceDefinitions"), with the status and scale
// subresources and printer columns, for the CRD tests.
import { callJson, waitFor } from "./helpers";

export function cronTabCRD(extra: { group?: string; plural?: string; kind?: string; shortNames?: string[] } = {}) {
  const group = extra.group ?? "stable.example.com";
  const plural = extra.plural ?? "crontabs";
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural, singular: plural.replace(/s$/, ""), kind: extra.kind ?? "CronTab", shortNames: extra.shortNames ?? ["ct"], categories: ["all"] },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  required: ["cronSpec"],
                  properties: {
                    cronSpec: { type: "string", pattern: "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$" },
                    image: { type: "string" },
                    replicas: { type: "integer", minimum: 1, maximum: 10, default: 1 },
                  },
                },
                status: { type: "object", properties: { replicas: { type: "integer" }, labelSelector: { type: "string" } } },
              },
            },
          },
          subresources: { status: {}, scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.labelSelector" } },
          additionalPrinterColumns: [
            { name: "Spec", type: "string", description: "The cron spec defining the interval a CronJob is run", jsonPath: ".spec.cronSpec" },
            { name: "Replicas", type: "integer", description: "The number of jobs launched by the CronJob", jsonPath: ".spec.replicas" },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
        },
        { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } },
      ],
    },
  };
}

export interface CRDStatus {
  conditions?: { type: string; status: string; reason: string; message: string }[];
  acceptedNames?: Record<string, unknown>;
  storedVersions?: string[];
}

export const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/** Wait until the CRD's condition `type` has `status`. */
export function waitForCondition(name: string, type: string, status = "True") {
  return waitFor(async () => {
    const { body } = await callJson<{ status?: CRDStatus }>(`${CRDS}/${name}`);
    return body.status?.conditions?.find((c) => c.type === type && c.status === status) && body;
  }, `${name} ${type}=${status}`);
}
