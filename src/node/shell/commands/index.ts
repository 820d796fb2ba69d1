// Every command an image can ship, by the `cmd` name its executables carry in the image
// filesystem (`/bin/ls` -> "ls"). Which ones exist in a container is up to its image.
import { cat, mkdir, pwd, rm, touch, which } from "./files";
import { ls } from "./ls";
import { curl, redisCli, wget } from "./net";
import { nslookup } from "./nslookup";
import { date, env, hostname, id, kill, printenv, ps, uname, uptime, whoami } from "./system";
import { echo, falseCmd, grep, printf, seq, test, trueCmd } from "./text";
import { head, tail } from "./head-tail";
import { wc } from "./wc";
import { gunzip, gzip, zcat } from "./gzip";
import { tar } from "./tar";
import { sort, uniq } from "./sort-uniq";
import type { CommandFn } from "./types";

export const COMMANDS: Record<string, CommandFn> = {
  cat,
  ls,
  mkdir,
  pwd,
  rm,
  touch,
  which,
  curl,
  wget,
  nslookup,
  "redis-cli": redisCli,
  date,
  env,
  kill,
  hostname,
  id,
  printenv,
  ps,
  uname,
  whoami,
  echo,
  printf,
  grep,
  head,
  tail,
  wc,
  gzip,
  gunzip,
  zcat,
  tar,
  sort,
  uniq,
  uptime,
  seq,
  true: trueCmd,
  false: falseCmd,
  test,
  "[": test,
};

/** Commands every shell has built in, whatever the image's files (no PATH lookup). */
export const SHELL_BUILTINS: Record<string, CommandFn> = {
  echo,
  printf,
  pwd,
  true: trueCmd,
  false: falseCmd,
  test,
  "[": test,
  ":": trueCmd,
  kill,
};

