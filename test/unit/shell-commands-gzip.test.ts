// gzip, gunzip and zcat as GNU gzip and busybox behave: real gzip streams (the host's
// zlib reads them), files replaced by their .gz and back, their messages and exit codes.
import { describe, expect, it } from "vitest";
import { box, checkScripts, type ScriptCase, type Userland } from "./shell-fixture";
import { decodeBytes, encodeBytes } from "../../src/util/byte-text";

type Case = ScriptCase;
const SETUP = "printf 'one\\ntwo\\n' > /data/f; printf 'not gzip' > /data/bad.gz";
const check = (userland: Userland, cases: Case[]) => checkScripts(userland, SETUP, cases);

const both: Case[] = [
  ["echo hello | gzip | gunzip", "hello\n"],
  ["echo hello | gzip -9 | zcat", "hello\n"],
  ["echo hello | gzip -c | gzip -dc", "hello\n"],
  ["gzip /data/f && ls /data && zcat /data/f.gz", "bad.gz\nf.gz\none\ntwo\n"],
  ["gunzip /data/f.gz && ls /data && cat /data/f", "bad.gz\nf\none\ntwo\n"],
  ["gzip -k /data/f && ls /data", "bad.gz\nf\nf.gz\n"],
  ["rm /data/f.gz; gzip -c /data/f > /data/copy.gz; ls /data; gunzip -c /data/copy.gz", "bad.gz\ncopy.gz\nf\none\ntwo\n"],
];

describe("gzip round trips", () => {
  it("busybox", () => check("busybox", both));
  it("GNU", () => check("gnu", both));
});

describe("gzip messages and exit codes", () => {
  it("GNU gzip", () =>
    check("gnu", [
      ["echo x | gunzip", "", "gzip: stdin: not in gzip format\n", 1],
      ["gunzip /data/bad.gz", "", "gzip: /data/bad.gz: not in gzip format\n", 1],
      ["gzip /data/nosuch", "", "gzip: /data/nosuch: No such file or directory\n", 1],
      ["gunzip /data/f", "", "gzip: /data/f: unknown suffix -- ignored\n", 2],
      ["gzip /data/bad.gz", "", "gzip: /data/bad.gz already has .gz suffix -- unchanged\n", 2],
      ["gzip -k /data/f; gzip /data/f", "", "gzip: /data/f.gz already exists; not overwritten\n", 2],
      ["gzip -f /data/f; ls /data", "bad.gz\nf.gz\n"],
    ]));
  it("busybox gzip", () =>
    check("busybox", [
      ["echo x | gunzip", "", "gunzip: invalid magic\n", 1],
      ["gzip /data/nosuch", "", "gzip: can't open '/data/nosuch': No such file or directory\n", 1],
    ]));
});

/** Through the platform's own zlib (the Compression Streams API). */
async function through(format: "gzip", dir: "compress" | "decompress", bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(dir === "compress" ? new CompressionStream(format) : new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("gzip streams are real", () => {
  it("the platform's zlib reads what gzip writes, and gunzip reads what it writes, bytes intact", async () => {
    const b = await box("gnu");
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const made = await b.run("gzip -c", decodeBytes(bytes));
    expect(made.exitCode).toBe(0);
    expect(await through("gzip", "decompress", encodeBytes(made.stdout))).toEqual(bytes);
    const back = await b.run("gunzip -c", decodeBytes(await through("gzip", "compress", bytes)));
    expect(encodeBytes(back.stdout)).toEqual(bytes);
  });
});
