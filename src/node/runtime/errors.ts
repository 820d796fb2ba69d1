// Errors as a CRI runtime returns them over gRPC: a status code and a description. The
// kubelet builds its messages from `toString()` ("rpc error: code = NotFound desc = ..."),
// exactly the text users see in events such as `Failed to pull image "foo:v10": rpc error: ...`.

type CriErrorCode =
  | "NotFound"
  | "InvalidArgument"
  | "FailedPrecondition"
  | "AlreadyExists"
  | "Unknown"
  | "Internal";

/** Why an error happened, in terms the kubelet can act on without parsing text. */
type CriErrorReason =
  | "ImageNotFound" // the registry has no such repository or tag: ErrImagePull
  | "InvalidImageName" // the reference does not parse
  | "ImageNotPresent" // createContainer with an image that was never pulled
  | "ExecutableNotFound" // exec/start of a command the image does not have
  | "NotRunning" // exec into a container that is not running
  | "NoSuchSandbox"
  | "NoSuchContainer"
  | "BadState";

export class CriError extends Error {
  constructor(
    readonly code: CriErrorCode,
    readonly desc: string,
    readonly reason?: CriErrorReason,
  ) {
    super(`rpc error: code = ${code} desc = ${desc}`);
    this.name = "CriError";
  }
}

export function isCriError(e: unknown, reason?: CriErrorReason): e is CriError {
  return e instanceof CriError && (reason === undefined || e.reason === reason);
}
