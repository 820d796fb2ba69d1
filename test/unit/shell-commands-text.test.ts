// head, tail, wc, printf, cat and ls -l as busybox and GNU coreutils print them, over
// text and over binary data (which passes through unchanged and is counted in bytes).
import { describe, expect, it } from "vitest";
import { box, checkScripts, type ScriptCase, type Userland } from "./shell-fixture";
import { decodeBytes, encodeBytes } from "../../src/util/byte-text";

type Case = ScriptCase;
const SETUP = "printf 'one\\ntwo\\nthree\\nfour\\nfive\\n' > /data/five; printf 'a\\nb' > /data/nonl; printf 'héllo wörld\\n' > /data/utf8";
const check = (userland: Userland, cases: Case[]) => checkScripts(userland, SETUP, cases);

const both: Case[] = [
  ["head -n 2 /data/five", "one\ntwo\n"],
  ["head -2 /data/five", "one\ntwo\n"],
  ["head -n2 /data/five", "one\ntwo\n"],
  ["head -c 5 /data/five", "one\nt"],
  ["head -n 1 /data/nonl; echo", "a\n\n"],
  ["head -n 5 /data/nonl", "a\nb"],
  ["head -n -2 /data/five", "one\ntwo\nthree\n"],
  ["tail -n 2 /data/five", "four\nfive\n"],
  ["tail -2 /data/five", "four\nfive\n"],
  ["tail -n +4 /data/five", "four\nfive\n"],
  ["tail -n 1 /data/nonl", "b"],
  ["tail -c 3 /data/five", "ve\n"],
  ["tail -c +20 /data/five", "five\n"],
  ["seq 1 20 | tail -n 3", "18\n19\n20\n"],
  ["seq 1 20 | head -n 3", "1\n2\n3\n"],
  ["head -c 2 /data/utf8 | wc -c", "2\n"],
  ["nosuchcommand 2>/dev/null || echo missing", "missing\n"],
  ["wc -c < /data/utf8", "14\n"],
  ["wc -l < /data/five", "5\n"],
  ["printf '%s-%d\\n' a 1 b 2", "a-1\nb-2\n"],
  ["printf '\\101\\102\\n'", "AB\n"],
  ["printf '\\303\\251\\n'", "é\n"],
  ["printf '\\x41\\n'", "A\n"],
  ["printf 'a\\cb'", "a"],
  ["printf '%5s|%-3s|%03d|%x|%X|%o\\n' ab c 7 255 255 8", "   ab|c  |007|ff|FF|10\n"],
  ["printf '\\377\\376' | wc -c", "2\n"],
];

describe.each<Userland>(["busybox", "gnu"])("%s: head, tail, printf", (userland) => {
  it("as both userlands print them", () => check(userland, both));
});

describe("wc layouts", () => {
  it("busybox: %9 columns, a single count bare", () =>
    check("busybox", [
      ["wc /data/five", "        5         5        24 /data/five\n"],
      ["wc -l /data/five", "5 /data/five\n"],
      ["wc -c /data/five /data/nonl", "       24 /data/five\n        3 /data/nonl\n       27 total\n"],
      ["wc < /data/five", "        5         5        24\n"],
      ["wc -w /data/utf8", "2 /data/utf8\n"],
      ["wc /nope", "", "wc: can't open '/nope': No such file or directory\n", 1],
    ]));

  it("GNU: columns as wide as the total size, 7 for stdin, a single count bare", () =>
    check("gnu", [
      ["wc /data/five", " 5  5 24 /data/five\n"],
      ["wc -l /data/five", "5 /data/five\n"],
      ["wc -c /data/five /data/nonl", "24 /data/five\n 3 /data/nonl\n27 total\n"],
      ["wc < /data/five", "      5       5      24\n"],
      ["wc -lw /data/five", " 5  5 /data/five\n"],
      ["wc /nope", "", "wc: /nope: No such file or directory\n", 1],
    ]));
});

describe("head and tail messages", () => {
  it.each<[Userland, string, string, string]>([
    ["busybox", "head -n x /data/five", "head: invalid number 'x'\n", ""],
    ["gnu", "head -n x /data/five", "head: invalid number of lines: 'x'\n", ""],
    ["gnu", "tail -c y /data/five", "tail: invalid number of bytes: 'y'\n", ""],
    ["busybox", "head /nope", "head: can't open '/nope': No such file or directory\n", ""],
    ["gnu", "tail /nope", "tail: cannot open '/nope' for reading: No such file or directory\n", ""],
  ])("%s: %s", async (userland, script, stderr, stdout) => {
    const b = await box(userland);
    await b.run("printf 'one\\n' > /data/five");
    expect(await b.run(script)).toEqual({ stdout, stderr, exitCode: 1 });
  });

  it("prints headers between several files", async () => {
    const b = await box("gnu");
    await b.run("echo 1 > /data/a; echo 2 > /data/b");
    expect((await b.run("head /data/a /data/b")).stdout).toBe("==> /data/a <==\n1\n\n==> /data/b <==\n2\n");
    expect((await b.run("tail -q /data/a /data/b")).stdout).toBe("1\n2\n");
  });
});

describe("binary data", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const binary = decodeBytes(new Uint8Array([...all, ...all.slice().reverse(), 0x1f, 0x8b, 0xc3]));

  it.each<Userland>(["busybox", "gnu"])("%s: piped through cat unchanged, counted in bytes", async (userland) => {
    const b = await box(userland);
    const piped = await b.run("cat | cat", binary);
    expect(encodeBytes(piped.stdout)).toEqual(encodeBytes(binary));
    expect((await b.run("cat > /data/bin; cat /data/bin | wc -c", binary)).stdout).toBe("515\n");
    expect(encodeBytes((await b.run("head -c 3 /data/bin")).stdout)).toEqual(new Uint8Array([0, 1, 2]));
    expect(encodeBytes((await b.run("tail -c 3 /data/bin")).stdout)).toEqual(new Uint8Array([0x1f, 0x8b, 0xc3]));
    expect(encodeBytes((await b.run("cat /data/bin /data/bin")).stdout).length).toBe(1030);
  });
});

describe("ls -l", () => {
  const NOW = Date.UTC(2025, 10, 25, 9, 19, 0);

  it("busybox: fixed columns, sizes in bytes, the file's time", async () => {
    const b = await box("busybox");
    b.rt.clock.set(NOW + 60_000);
    await b.run("printf 'héllo\\n' > /data/small; mkdir /data/sub; head -c 5000 /bin/sh > /dev/null", "");
    expect((await b.run("ls -l /data")).stdout).toBe(
      ["total 8", "-rw-r--r--    1 root     root             7 Nov 25 09:20 small", "drwxr-xr-x    2 root     root          4096 Nov 25 09:20 sub", ""].join("\n"),
    );
    expect((await b.run("ls -l /data/small")).stdout).toBe("-rw-r--r--    1 root     root             7 Nov 25 09:20 /data/small\n");
    // The image's own files are as old as the image: the year instead of the time.
    expect((await b.run("ls -l /etc/passwd")).stdout).toMatch(/^-rw-r--r-- {4}1 root {5}root {5} +\d+ Sep 26 {2}2024 \/etc\/passwd\n$/);
  });

  it("GNU: columns as wide as their widest entry", async () => {
    const b = await box("gnu");
    b.rt.clock.set(NOW);
    await b.run("echo hi > /data/a; head -c 12345 /dev/null; printf '%0100d' 0 > /data/b; mkdir -p /data/d/e");
    expect((await b.run("ls -l /data")).stdout).toBe(
      ["total 12", "-rw-r--r-- 1 root root    3 Nov 25 09:19 a", "-rw-r--r-- 1 root root  100 Nov 25 09:19 b", "drwxr-xr-x 3 root root 4096 Nov 25 09:19 d", ""].join("\n"),
    );
    expect((await b.run("touch /data/a; ls -l /data/a")).stdout).toBe("-rw-r--r-- 1 root root 3 Nov 25 09:19 /data/a\n");
  });
});
