// One forwarded TCP connection to a port inside a pod's network namespace, as the
// runtime's port-forward opens it (a dial to localhost:PORT in the pod's netns). The
// program listening there answers HTTP: the client's bytes are read as requests, each
// is handed to the program (the runtime's podHttp), and its answer goes back as bytes,
// in order, on one keep-alive connection, until either side closes it.
import type { HttpOutcome, PodHttpRequest } from "../../runtime/cri";
import { BadRequest, badRequestResponse, RequestReader, writeResponse, type WireRequest } from "./http-wire";

/** The pod's port, as the runtime reaches it. */
export interface PodPort {
  request(req: PodHttpRequest): Promise<HttpOutcome>;
}

/** Where the connection's output goes: the forwarded stream back to the client. */
export interface ConnectionSink {
  data(bytes: Uint8Array): void;
  /** The pod side closed the connection (after its last bytes). */
  end(): void;
}

/** Port-forward dials from inside the pod, so programs log the loopback address. */
const LOOPBACK = "127.0.0.1";

export class PodConnection {
  private readonly reader = new RequestReader();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly port: PodPort,
    private readonly sink: ConnectionSink,
  ) {}

  /** Bytes from the client, answered in order. */
  write(bytes: Uint8Array): void {
    if (this.closed || !bytes.length) return;
    let requests: WireRequest[];
    try {
      requests = this.reader.push(bytes);
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e;
      this.enqueue(async () => {
        this.sink.data(badRequestResponse("nginx"));
        this.close();
      });
      return;
    }
    for (const req of requests) this.enqueue(() => this.answer(req));
  }

  /** The client finished sending (half-close): the server answers what it has, then closes. */
  end(): void {
    this.enqueue(async () => this.close());
  }

  /** The client went away: nothing more is sent. */
  abort(): void {
    this.closed = true;
  }

  /** Resolves once everything asked so far has been answered. */
  idle(): Promise<void> {
    return this.chain;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (!this.closed) await step();
    });
  }

  private async answer(req: WireRequest): Promise<void> {
    const outcome = await this.port.request({ method: req.method, path: req.target, headers: req.headers, body: req.body || undefined, remoteAddr: LOOPBACK });
    if (this.closed) return;
    if (outcome.kind !== "response") {
      // Nothing answers HTTP there any more (the program stopped, or never spoke HTTP): the connection drops.
      this.close();
      return;
    }
    this.sink.data(writeResponse(outcome.response, { head: req.method === "HEAD", keepAlive: req.keepAlive }));
    if (!req.keepAlive) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.end();
  }
}
