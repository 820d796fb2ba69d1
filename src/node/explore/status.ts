// Errors of the pod subresources as the API server returns them: a Kubernetes Status
// with the real message, so kubectl prints `Error from server (BadRequest): ...`.
import { ApiError, badRequest, internalError } from "../../model/errors";

export function statusResponse(err: ApiError): Response {
  return new Response(JSON.stringify(err.status), { status: err.code, headers: { "Content-Type": "application/json" } });
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return internalError(e instanceof Error ? e.message : String(e));
}

export { badRequest };
