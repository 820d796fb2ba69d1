// What both port-forward protocols need from the node: a connection to a port of the
// pod, or the error the kubelet writes on the error stream when there is none.
import type { PodPort } from "./pod-connection";

/** A port in the pod reached (PodPort), or the message for the error stream. */
export type Dial = (port: number) => Promise<PodPort | { error: string }>;

/** The kubelet's wording around the runtime's error (portforward.httpStreamHandler.portForward). */
export function forwardingError(port: number, pod: string, uid: string, err: string): string {
  return `error forwarding port ${port} to pod ${pod}, uid ${uid}: ${err}`;
}

/** A forwarded connection's bytes leave in pieces of at most this size, as io.Copy's buffer sends them. */
export const COPY_BYTES = 32 * 1024;

export function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += COPY_BYTES) yield bytes.subarray(at, at + COPY_BYTES);
}

/** The ports of a port-forward URL (`ports=80&ports=8080` or `ports=80,8080`), as the kubelet parses them. */
export function parsePorts(values: string[]): number[] | { error: string } {
  const texts = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  if (!texts.length) return { error: 'query parameter "port" is required' };
  const ports: number[] = [];
  for (const t of texts) {
    if (!/^\d+$/.test(t) || Number(t) > 65535) return { error: `unable to parse "${t}" as a port: strconv.ParseUint: parsing "${t}": ${/^\d+$/.test(t) ? "value out of range" : "invalid syntax"}` };
    if (Number(t) < 1) return { error: `port "${t}" must be > 0` };
    ports.push(Number(t));
  }
  return ports;
}
