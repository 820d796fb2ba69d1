// A browser's exec: the token in the `base64url.bearer.authorization.k8s.io.` subprotocol
// (browsers cannot set Authorization on a WebSocket), accepted as the API server accepts
// it, refused with 401 when wrong, and never echoed back in the answer's protocol.
import { describe, it, expect, beforeAll } from "vitest";
import { exports } from "cloudflare:workers";
import { BASE, TOKEN } from "./helpers";
import { FakeClock, boundPod, createPod, runUntil, startNode } from "./node-helpers";

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const clock = new FakeClock();

const tokenProtocol = (token: string) =>
  "base64url.bearer.authorization.k8s.io." + btoa(token).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An exec of `hostname` offering these subprotocols and no Authorization header. */
async function exec(protocols: string[]): Promise<{ res: Response; stdout: string }> {
  const res = await worker.fetch(
    new Request(`${BASE}/api/v1/namespaces/default/pods/ws-auth/exec?command=hostname&stdout=true&stderr=true`, {
      headers: { upgrade: "websocket", "sec-websocket-protocol": protocols.join(", ") },
    }),
  );
  if (res.status !== 101) return { res, stdout: "" };
  const ws = res.webSocket!;
  ws.accept();
  ws.binaryType = "arraybuffer";
  let stdout = "";
  await new Promise<void>((resolve) => {
    ws.addEventListener("close", () => resolve());
    ws.addEventListener("message", (ev) => {
      const bytes = new Uint8Array(ev.data as ArrayBuffer);
      if (bytes[0] === 1) stdout += new TextDecoder().decode(bytes.subarray(1));
    });
  });
  return { res, stdout };
}

beforeAll(async () => {
  const node = await startNode("kn-ws-auth", clock);
  await createPod(boundPod("ws-auth", "kn-ws-auth", { containers: [{ name: "app", image: "busybox:1.37", command: ["sh", "-c", "sleep 3600"] }] }));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
});

describe("exec with the token in a WebSocket subprotocol", () => {
  it("runs the command and answers with the channel protocol, never the token's", async () => {
    for (const channel of ["v5.channel.k8s.io", "v4.channel.k8s.io"]) {
      const { res, stdout } = await exec([tokenProtocol(TOKEN), channel]);
      expect(res.status).toBe(101);
      expect(res.headers.get("sec-websocket-protocol")).toBe(channel);
      expect(stdout).toBe("ws-auth\n");
    }
  });

  it("answers a wrong token with 401 Unauthorized", async () => {
    const { res } = await exec([tokenProtocol("not-the-token"), "v5.channel.k8s.io"]);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { kind: string; reason: string; message: string };
    expect(body).toMatchObject({ kind: "Status", reason: "Unauthorized", message: "Unauthorized" });
    expect(JSON.stringify([...res.headers])).not.toContain("bm90LXRoZS10b2tlbg");
  });

  it("refuses a token with no other protocol, two tokens, and a token that is not base64url", async () => {
    const cases = [
      [tokenProtocol(TOKEN)],
      [tokenProtocol(TOKEN), tokenProtocol(TOKEN), "v5.channel.k8s.io"],
      ["base64url.bearer.authorization.k8s.io.dGVzdC10b2tlbg==", "v5.channel.k8s.io"],
      ["base64url.bearer.authorization.k8s.io.%%%", "v5.channel.k8s.io"],
    ];
    for (const protocols of cases) expect((await exec(protocols)).res.status).toBe(401);
  });

  it("answers with the channel protocol when the Authorization header authenticates beside a token subprotocol", async () => {
    const res = await worker.fetch(
      new Request(`${BASE}/api/v1/namespaces/default/pods/ws-auth/exec?command=hostname&stdout=true`, {
        headers: { authorization: `Bearer ${TOKEN}`, upgrade: "websocket", "sec-websocket-protocol": `${tokenProtocol("another-token")}, v4.channel.k8s.io` },
      }),
    );
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("v4.channel.k8s.io");
    res.webSocket!.accept();
    res.webSocket!.close();
  });

  it("takes no token from the subprotocol of a request that is not a WebSocket upgrade", async () => {
    const res = await worker.fetch(new Request(`${BASE}/api/v1/namespaces/default/pods`, { headers: { "sec-websocket-protocol": `${tokenProtocol(TOKEN)}, v5.channel.k8s.io` } }));
    expect(res.status).toBe(401);
  });
});
