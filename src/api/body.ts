// Request body decoding: JSON, YAML, and the protobuf envelope kubectl sends for
// `kubectl create deployment|namespace|...`; PATCH bodies by patch type. As in the API
// server, the media type is checked first (415 for one the server does not read),
// bodies over MAX_BODY_BYTES are refused before parsing (413: the real API server's
// limit is 3 MiB), and what decodes must not nest deeper than MAX_NESTING_DEPTH (400).
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest, tooLarge } from "../model/errors";
import { decodeKubernetesProtobuf, isProtobuf, PROTOBUF_CONTENT_TYPE } from "./protobuf";
import { MAX_NESTING_DEPTH, jsonDepth, yamlDepthBound } from "./nesting";

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The media types an object body may have (the API server's serializers). */
const OBJECT_MEDIA_TYPES = ["application/json", "application/yaml", PROTOBUF_CONTENT_TYPE];

/** Server-side apply's patch type: a YAML (or JSON) configuration. */
export const APPLY_PATCH_TYPE = "application/apply-patch+yaml";

/** The patch types served, in the order the API server lists them. */
export const PATCH_MEDIA_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", APPLY_PATCH_TYPE];

/**
 * A YAML anchor may be expanded at most this often (the `yaml` package's maxAliasCount,
 * counted per anchor and weighted by the aliases inside it): alias bombs fail fast.
 */
const MAX_YAML_ALIAS_COUNT = 100;

/** The media type without parameters, lower case; "" when absent. */
export function mediaTypeOf(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

/** NewUnsupportedMediaTypeError's message. */
export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
}

async function readBytes(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge(MAX_BODY_BYTES);
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge(MAX_BODY_BYTES);
  return bytes;
}

/** JSON text to a value, refused when malformed or nested too deeply. */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
  if (jsonDepth(value) > MAX_NESTING_DEPTH) throw badRequest(`the body of the request could not be decoded: json: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  return value;
}

function parseYamlText(text: string): unknown {
  if (yamlDepthBound(text) > MAX_NESTING_DEPTH) throw badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  let value: unknown;
  try {
    // logLevel "error": a warning about the document (an unknown tag) is not logged.
    value = parseYaml(text, { maxAliasCount: MAX_YAML_ALIAS_COUNT, prettyErrors: false, logLevel: "error" });
  } catch (e) {
    if (e instanceof ReferenceError && e.message.startsWith("Excessive alias count")) {
      throw badRequest("error converting YAML to JSON: yaml: document contains excessive aliasing");
    }
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
  }
  // Aliases share one value: a document within the limits can still expand past them.
  if (jsonDepth(value) > MAX_NESTING_DEPTH) throw badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  return value;
}

/** The body of a create or update: JSON (also when no type is given), YAML or protobuf. */
export async function readBody(req: Request): Promise<unknown> {
  const mediaType = mediaTypeOf(req) || "application/json";
  if (!OBJECT_MEDIA_TYPES.includes(mediaType)) throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
  const bytes = await readBytes(req);
  if (bytes.byteLength === 0) throw badRequest("the body of the request was empty");
  if (isProtobuf(mediaType)) {
    try {
      return decodeKubernetesProtobuf(bytes);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw badRequest(`the body of the request could not be decoded as protobuf: ${(e as Error).message}`);
    }
  }
  const text = new TextDecoder().decode(bytes);
  return mediaType === "application/yaml" ? parseYamlText(text) : parseJsonText(text);
}

/** A PATCH body and its patch type (checked before the body is read, as upstream). */
export async function readPatchBody(req: Request): Promise<{ patchType: string; patch: unknown }> {
  const patchType = mediaTypeOf(req);
  if (!PATCH_MEDIA_TYPES.includes(patchType)) throw unsupportedMediaType(PATCH_MEDIA_TYPES);
  const bytes = await readBytes(req);
  if (bytes.byteLength === 0) throw badRequest("the body of the request was empty");
  const text = new TextDecoder().decode(bytes);
  return { patchType, patch: patchType === APPLY_PATCH_TYPE ? parseYamlText(text) : parseJsonText(text) };
}

/** An optional JSON body (DeleteOptions): {} when empty. */
export async function readOptionalJson(req: Request): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(req));
  return text.trim() ? parseJsonText(text) : {};
}
