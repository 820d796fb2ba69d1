// What a pods/exec request asks for, read from its query as the API server and the
// kubelet read it (PodExecOptions, then the kubelet's remotecommand.NewOptions).
import { queryBool } from "../../model/query-bool";
import { badRequest } from "./status";

export interface ExecOptions {
  command: string[];
  container: string | null;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function execOptions(q: URLSearchParams): ExecOptions {
  const command = q.getAll("command");
  if (!command.length) throw badRequest("you must specify at least one command for the container");
  const tty = queryBool(q, "tty");
  const stdin = queryBool(q, "stdin");
  const stdout = queryBool(q, "stdout");
  // A terminal has one output stream: the kubelet drops stderr when a tty is asked for.
  const stderr = queryBool(q, "stderr") && !tty;
  if (!stdin && !stdout && !stderr && !tty) throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
  return { command, container: q.get("container"), stdin, stdout: stdout || tty, stderr, tty };
}
