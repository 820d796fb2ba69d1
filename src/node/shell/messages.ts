// What each shell says when something goes wrong. bash, dash (Debian's /bin/sh) and
// busybox ash word their errors differently, and users compare them with real pods.
import type { ShellSyntaxError } from "./lexer";
import type { ShellFlavour } from "./host";

/** `foo: command not found` (bash), `sh: 1: foo: not found` (dash), `sh: foo: not found` (ash). */
export function notFoundText(flavour: ShellFlavour, prefix: string, name: string): string {
  if (flavour === "bash") return `${prefix}${name}: ${name.includes("/") ? "No such file or directory" : "command not found"}\n`;
  return `${prefix}${name}: not found\n`;
}

export function syntaxErrorText(flavour: ShellFlavour, prefix: string, e: ShellSyntaxError, dashC = false): string {
  if (e.kind === "unterminated") {
    if (flavour === "bash") return `${prefix}${dashC ? "-c: line 1: " : ""}unexpected EOF while looking for matching \`${e.near}'\n`;
    if (flavour === "dash") return `${prefix}Syntax error: Unterminated quoted string\n`;
    return `${prefix}syntax error: unterminated quoted string\n`;
  }
  if (flavour === "bash") return `${prefix}${dashC ? "-c: line 1: " : ""}syntax error near unexpected token \`${e.near}'\n`;
  if (flavour === "dash") return `${prefix}Syntax error: "${e.near}" unexpected\n`;
  return `${prefix}syntax error: unexpected "${e.near}"\n`;
}

/** A redirection target that cannot be opened or created. */
export function redirectFailureText(flavour: ShellFlavour, prefix: string, target: string, what: "open" | "create", code = "ENOENT"): string {
  const why = code === "EISDIR" ? "Is a directory" : code === "EROFS" ? "Read-only file system" : "No such file or directory";
  switch (flavour) {
    case "bash":
      return `${prefix}${target}: ${why}\n`;
    case "dash":
      return what === "open" ? `${prefix}cannot open ${target}: No such file\n` : `${prefix}cannot create ${target}: ${code === "ENOENT" ? "Directory nonexistent" : why}\n`;
    case "ash":
      return `${prefix}can't ${what} ${target}: ${code === "ENOENT" ? (what === "open" ? "no such file" : "nonexistent directory") : why}\n`;
  }
}

export function noSuchProcessText(flavour: ShellFlavour, prefix: string, pid: string): string {
  if (flavour === "bash") return `${prefix}kill: (${pid}) - No such process\n`;
  if (flavour === "dash") return `${prefix}kill: No such process\n`;
  return `${prefix}can't kill pid ${pid}: No such process\n`;
}
