import { describe, it, expect } from "vitest";
import { webSocketToken } from "../../src/api/websocket-token";

const ws = (protocols: string) => new Headers({ upgrade: "websocket", connection: "Upgrade", "sec-websocket-protocol": protocols });

describe("webSocketToken", () => {
  it("reads a base64url token and keeps the other protocols in order", () => {
    expect(webSocketToken(ws("v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.ZWRnZS10b2s_fg, v4.channel.k8s.io"))).toEqual({
      kind: "token",
      token: "edge-tok?~",
      otherProtocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"],
    });
  });

  it("has no token without the prefix or without an upgrade", () => {
    expect(webSocketToken(ws("v5.channel.k8s.io"))).toEqual({ kind: "none" });
    expect(webSocketToken(new Headers({ "sec-websocket-protocol": "base64url.bearer.authorization.k8s.io.dG9r, v5.channel.k8s.io" }))).toEqual({ kind: "none" });
    expect(webSocketToken(new Headers({ upgrade: "h2c", "sec-websocket-protocol": "base64url.bearer.authorization.k8s.io.dG9r, v5.channel.k8s.io" }))).toEqual({ kind: "none" });
  });

  it("is invalid with padding, bad characters, bytes that are not UTF-8, two tokens, or no other protocol", () => {
    for (const p of [
      "base64url.bearer.authorization.k8s.io.dG9rZW4=, v5.channel.k8s.io",
      "base64url.bearer.authorization.k8s.io.dG9r+/, v5.channel.k8s.io",
      "base64url.bearer.authorization.k8s.io._w, v5.channel.k8s.io",
      "base64url.bearer.authorization.k8s.io.dG9r, base64url.bearer.authorization.k8s.io.dG9r, v5.channel.k8s.io",
      "base64url.bearer.authorization.k8s.io.dG9r",
    ]) {
      expect(webSocketToken(ws(p)).kind, p).toBe("invalid");
    }
  });
});
