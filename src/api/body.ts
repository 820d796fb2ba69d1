// Request body decoding: JSON, YAML, and the protobuf envelope kubectl sends for
// `kubectl create deployment|namespace|...`. Bodies over MAX_BODY_BYTES are refused
// before parsing (the real API server's limit is 3 MiB for a request body).
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest, tooLarge } from "../model/errors";
import { decodeKubernetesProtobuf, isProtobuf } from "./protobuf";

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: Request): Promise<unknown> {
  const contentType = (req.headers.get("content-type") ?? "application/json").split(";")[0].trim().toLowerCase();
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge(MAX_BODY_BYTES);
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge(MAX_BODY_BYTES);
  if (bytes.byteLength === 0) throw badRequest("the body of the request was empty");
  if (isProtobuf(contentType)) {
    try {
      return decodeKubernetesProtobuf(bytes);
    } catch (e) {
      throw new ApiError(415, "UnsupportedMediaType", `the body of the request could not be decoded as protobuf: ${(e as Error).message}`);
    }
  }
  const text = new TextDecoder().decode(bytes);
  if (contentType.includes("yaml")) {
    try {
      return parseYaml(text);
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}
