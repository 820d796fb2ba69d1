/** A frame the SPDY framer cannot accept; the session answers with GOAWAY (stream 0) or RST_STREAM. */
export class SpdyError extends Error {
  constructor(
    message: string,
    readonly streamId = 0,
  ) {
    super(message);
    this.name = "SpdyError";
  }
}
