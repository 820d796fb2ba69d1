// One run at a time per key. The work queue already never hands out a key twice at
// once; this guards the reconcilers themselves, so a second caller (an RPC, a test, a
// future second queue) waits for the first and then re-reads what it wrote, instead
// of both seeing "2 pods missing" and creating 4.
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
