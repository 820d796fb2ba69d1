// The part of node:zlib the SPDY framer's tests use as an independent zlib (the unit
// project runs in Node; the typecheck knows only the Workers' types).
declare module "node:zlib" {
  interface ZlibStream {
    on(event: "data", fn: (chunk: Uint8Array) => void): this;
    off(event: "data", fn: (chunk: Uint8Array) => void): this;
    write(chunk: Uint8Array): boolean;
    flush(kind: number, callback: () => void): void;
    close(): void;
  }
  export type Deflate = ZlibStream;
  export type Inflate = ZlibStream;
  export function createDeflate(opts: { dictionary?: Uint8Array; level?: number }): Deflate;
  export function createInflate(opts: { dictionary?: Uint8Array }): Inflate;
  export const constants: { Z_SYNC_FLUSH: number };
}
