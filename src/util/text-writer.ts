// Text written to a stream whose reader may go away at any moment (a watch client, an
// API worker reading a watch cache): a failed write says the reader has gone instead of
// throwing, and `gone` settles as soon as it goes, even between writes.
export interface TextWriter {
  /** Resolves false once the reader has gone. */
  write(text: string): Promise<boolean>;
  close(): Promise<void>;
  /** Break the stream: its reader sees an error, not an end. */
  abort(reason: unknown): void;
  readonly closed: boolean;
  /** Settles once the reader has gone or the stream was closed. */
  readonly gone: Promise<void>;
}

export function textWriter(writable: WritableStream<Uint8Array>): TextWriter {
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let closed = false;
  const end = () => {
    closed = true;
  };
  // A reader that cancels errors the writable side at once, not at the next write.
  const gone = writer.closed.then(end, end);
  return {
    async write(text) {
      if (closed) return false;
      try {
        await writer.write(encoder.encode(text));
        return true;
      } catch {
        closed = true;
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await writer.close().catch(() => undefined);
    },
    abort(reason) {
      closed = true;
      writer.abort(reason).catch(() => undefined);
    },
    get closed() {
      return closed;
    },
    gone,
  };
}
