// ConfigMap, Secret and ServiceAccount columns as printConfigMap, printSecret and
// printServiceAccount print them: the count of data keys (both maps of a ConfigMap),
// a Secret's type, the count of a ServiceAccount's listed secrets.
import type { ConfigMap, KubeObject, Secret, ServiceAccount } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const CONFIGMAP_DATA =
  "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";
const SECRET_TYPE = "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types";
const SECRET_DATA =
  "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4";
const SA_SECRETS =
  "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret";

const count = (m: Record<string, unknown> | undefined) => Object.keys(m ?? {}).length;

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col("Data", "string", CONFIGMAP_DATA), AGE_COLUMN],
  cells(obj: KubeObject, now: number): unknown[] {
    const cm = obj as ConfigMap;
    return [cm.metadata.name ?? "", count(cm.data) + count(cm.binaryData), formatAge(cm.metadata.creationTimestamp, now)];
  },
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, col("Type", "string", SECRET_TYPE), col("Data", "string", SECRET_DATA), AGE_COLUMN],
  cells(obj: KubeObject, now: number): unknown[] {
    const s = obj as Secret;
    return [s.metadata.name ?? "", s.type ?? "", count(s.data), formatAge(s.metadata.creationTimestamp, now)];
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col("Secrets", "string", SA_SECRETS), AGE_COLUMN],
  cells(obj: KubeObject, now: number): unknown[] {
    const sa = obj as ServiceAccount;
    return [sa.metadata.name ?? "", (sa.secrets ?? []).length, formatAge(sa.metadata.creationTimestamp, now)];
  },
};
