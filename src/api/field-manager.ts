// Who a write is recorded as in managedFields: the `fieldManager` parameter, else the
// User-Agent's prefix (its executable name: kubectl, OpenAPI-Generator...), as the API
// server's managerOrUserAgent does; and the checks of PatchOptions around it.
import { ApiError } from "../model/errors";

const MAX_FIELD_MANAGER = 128;

type Options = "CreateOptions" | "UpdateOptions" | "PatchOptions";

function invalidOptions(options: Options, field: string, reason: string, detail: string): ApiError {
  return new ApiError(422, "Invalid", `${options}.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
    kind: options,
    group: "meta.k8s.io",
    causes: [{ reason, message: detail, field }],
  });
}

/** prefixFromUserAgent: up to the first "/", printable characters only, at most 128. */
export function prefixFromUserAgent(ua: string): string {
  let out = "";
  for (const ch of ua.split("/")[0]) {
    if (/\p{C}/u.test(ch)) continue;
    if (out.length >= MAX_FIELD_MANAGER) break;
    out += ch;
  }
  return out;
}

/** ValidateFieldManager and, for patches, the rules of `force` and apply's required manager. */
export function fieldManagerOf(q: URLSearchParams, req: Request, options: Options, apply = false): string {
  const sent = q.get("fieldManager") ?? "";
  if (sent.length > MAX_FIELD_MANAGER) throw invalidOptions(options, "fieldManager", "FieldValueTooLong", `Too long: may not be more than ${MAX_FIELD_MANAGER} bytes`);
  const bad = [...sent].findIndex((ch) => /\p{C}/u.test(ch));
  if (bad >= 0) {
    const code = [...sent][bad].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw invalidOptions(options, "fieldManager", "FieldValueInvalid", `Invalid value: ${JSON.stringify(sent)}: invalid character U+${code} (at position ${bad})`);
  }
  if (options === "PatchOptions") {
    if (!apply && q.has("force")) throw invalidOptions(options, "force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch");
    if (apply && !sent) throw invalidOptions(options, "fieldManager", "FieldValueRequired", "Required value: is required for apply patch");
  }
  return sent || prefixFromUserAgent(req.headers.get("user-agent") ?? "");
}
