// tar, sort, uniq and uptime as GNU (Debian) and busybox print them: archives that
// round-trip the container's files and bytes, the forms `kubectl cp` runs, messages.
import { describe, expect, it } from "vitest";
import { box, checkScripts, type ScriptCase, type Userland } from "./shell-fixture";
import { parseTarArgs } from "../../src/node/shell/commands/tar";

type Case = ScriptCase;
const SETUP = "mkdir -p /data/src/sub; printf 'one\\n' > /data/src/a; printf '\\377\\000bin' > /data/src/sub/b; printf 'b\\na\\nb\\nc\\na\\n' > /data/lines";
const check = (userland: Userland, cases: Case[]) => checkScripts(userland, SETUP, cases);

const both: Case[] = [
  ["cd /data && tar cf /data/s.tar src && tar tf /data/s.tar", "src/\nsrc/a\nsrc/sub/\nsrc/sub/b\n"],
  ["mkdir /data/out && tar -xmf - -C /data/out < /data/s.tar && cat /data/out/src/a && wc -c < /data/out/src/sub/b", "one\n5\n"],
  ["tar cf - -C /data src | tar xf - -C /tmp && ls /tmp/src", "a\nsub\n"],
  ["tar czf /data/s.tgz -C /data src/a && tar xzOf /data/s.tgz", "one\n"],
  ["tar xOf /data/s.tar src/sub/b | wc -c", "5\n"],
  ["sort /data/lines", "a\na\nb\nb\nc\n"],
  ["sort -r -u /data/lines", "c\nb\na\n"],
  ["printf '10 x\\n9 y\\n100 z\\n' | sort -n", "9 y\n10 x\n100 z\n"],
  ["printf 'a 3\\nb 1\\nc 2\\n' | sort -k 2", "b 1\nc 2\na 3\n"],
  ["printf 'a:3\\nb:1\\n' | sort -t : -k 2 -n", "b:1\na:3\n"],
  ["sort /data/lines | uniq", "a\nb\nc\n"],
  ["sort /data/lines | uniq -c", "      2 a\n      2 b\n      1 c\n"],
  ["sort /data/lines | uniq -d", "a\nb\n"],
  ["sort /data/lines | uniq -u", "c\n"],
];

describe("tar, sort and uniq", () => {
  it("busybox", () => check("busybox", both));
  it("GNU", () => check("gnu", both));
});

describe("tar messages and exit codes", () => {
  it("GNU tar", () =>
    check("gnu", [
      ["tar cf - /data/src/a | tar tf -", "data/src/a\n", "tar: Removing leading `/' from member names\n"],
      ["tar cf /data/x.tar /data/nosuch", "", "tar: Removing leading `/' from member names\ntar: /data/nosuch: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n", 2],
      ["tar cf /data/x.tar", "", "tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n", 2],
      ["echo not an archive | tar tf -", "", "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n", 2],
      ["tar xf /data/none.tar", "", "tar: /data/none.tar: Cannot open: No such file or directory\ntar: Exiting with failure status due to previous errors\n", 2],
    ]));
  it("busybox tar", () =>
    check("busybox", [
      ["tar cf - /data/src/a | tar tf -", "data/src/a\n", "tar: removing leading '/' from member names\n"],
      ["echo not an archive | tar tf -", "", "tar: invalid tar magic\n", 1],
    ]));
});

describe("tar's arguments", () => {
  it.each([
    [["-xmf", "-", "-C", "/tmp"], { op: "x", file: "-", dir: "/tmp", keepMtime: false }],
    [["cf", "-", "tmp/foo"], { op: "c", file: "-", operands: ["tmp/foo"] }],
    [["--no-same-permissions", "--no-same-owner", "-xmf", "-"], { op: "x", file: "-" }],
    [["-czvf", "a.tgz", "dir"], { op: "c", gzip: true, verbose: true, file: "a.tgz", operands: ["dir"] }],
    [["--extract", "--file=a.tar", "--directory=/x"], { op: "x", file: "a.tar", dir: "/x" }],
  ])("%j", (argv, want) => {
    expect(parseTarArgs(argv)).toMatchObject(want);
  });
});

describe("uptime", () => {
  it("procps (the bootcamp image has it; nginx's has none) and busybox layouts", async () => {
    const gnu = await (await box("gnu", { image: "gcr.io/google-samples/kubernetes-bootcamp:v1" })).run("uptime");
    expect(gnu.stdout).toMatch(/^ \d\d:\d\d:\d\d up (\d+ min|[ \d]\d:\d\d),  0 user,  load average: 0\.00, 0\.00, 0\.00\n$/);
    expect((await (await box("gnu")).run("uptime")).exitCode).toBe(127);
    const bb = await (await box("busybox")).run("uptime");
    expect(bb.stdout).toMatch(/^ \d\d:\d\d:\d\d up (\d+ min|[ \d]\d:\d\d),  load average: 0\.00, 0\.00, 0\.00\n$/);
  });
});
