// ConfigMaps and Secrets. Their []byte maps (Secret `data`, ConfigMap `binaryData`)
// arrive as base64, which the API server's decoder checks before anything else: bad
// base64 is a 400, not a 422. A Secret's `stringData` is a write-only convenience that
// the v1 conversion merges into `data` (overwriting keys of the same name) and drops;
// its `type` defaults to Opaque (SetDefaults_Secret). Both run on every write.
import type { ConfigMap, KubeObject, Secret } from "../../model/types";
import { badRequest } from "../../model/errors";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { Base64Error, decodeBase64 } from "../../model/base64";
import type { ResourceStrategy } from "./types";

/** Every value of a []byte map must decode, as JSON decoding of the body would. */
function checkBase64(kind: string, values: Record<string, unknown> | undefined): void {
  for (const v of Object.values(values ?? {})) {
    if (typeof v !== "string") continue; // a type error: validation reports it
    try {
      decodeBase64(v);
    } catch (e) {
      if (!(e instanceof Base64Error)) throw e;
      throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${e.message}`);
    }
  }
}

function isStringMap(v: unknown): v is Record<string, string> {
  return !!v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
}

function prepareSecret(obj: KubeObject): void {
  const secret = obj as Secret;
  checkBase64("Secret", secret.data);
  if (isStringMap(secret.stringData)) {
    const data = isStringMap(secret.data) ? secret.data : {};
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = base64Encode(new TextEncoder().encode(v));
    secret.data = data;
    delete secret.stringData;
  }
  if (!secret.type) secret.type = "Opaque";
}

function prepareConfigMap(obj: KubeObject): void {
  checkBase64("ConfigMap", (obj as ConfigMap).binaryData);
}

export const secretStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => prepareSecret(obj),
  prepareForUpdate: (next) => prepareSecret(next),
};

export const configMapStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => prepareConfigMap(obj),
  prepareForUpdate: (next) => prepareConfigMap(next),
};
