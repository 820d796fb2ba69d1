// The container runtime's storage, over the Durable Object's synchronous KV API: every
// sandbox, container, log, volume file and pulled image lives in the node's own
// storage, so a restarted `wrangler dev` (or an evicted object) resumes where it was.
// Being synchronous underneath, one runtime call never interleaves with another request.
import type { RuntimeStorage } from "../runtime";

export class KvRuntimeStorage implements RuntimeStorage {
  constructor(private readonly kv: SyncKvStorage) {}

  get<T>(key: string): Promise<T | undefined> {
    return Promise.resolve(this.kv.get<T>(key));
  }

  put<T>(key: string, value: T): Promise<void> {
    this.kv.put(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.kv.delete(key));
  }

  list<T>(prefix: string): Promise<Map<string, T>> {
    return Promise.resolve(new Map(this.kv.list<T>({ prefix })));
  }
}
