// Optimistic concurrency under real contention: many clients read the same object and
// write it back at once, through the API worker and D1 (every write is conditional on
// the resourceVersion its writer read). Of writers holding the same version exactly one
// wins; the rest get upstream's 409, and clients that retry on conflict lose nothing.
// The object is a pod no scheduler claims (schedulerName nobody runs), so only these
// clients write it.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { callJson } from "./helpers";
import { ObjectStore } from "../../src/store/store";
import type { Pod, Status } from "../../src/model/types";

const WRITERS = 16;
const ROUNDS = 20;
const PODS = "/api/v1/namespaces/default/pods";
const MODIFIED = "the object has been modified; please apply your changes to the latest version and try again";

/** What the tests report at the end (also printed, for the record). */
const tally = { rounds: 0, writers: WRITERS, successes: 0, conflicts: 0, lost: 0 };

function counterPod(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, annotations: { counter: "0" }, ...extra },
    spec: { schedulerName: "nobody", containers: [{ name: "app", image: "nginx:1.27" }] },
  };
}

const counterOf = (p: Pod) => Number(p.metadata.annotations?.counter);

async function get(name: string): Promise<Pod> {
  const res = await callJson<Pod>(`${PODS}/${name}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function create(body: unknown): Promise<Pod> {
  const res = await callJson<Pod>(PODS, { method: "POST", body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** `n` clients at once. */
function all<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

function withCounter(p: Pod, value: number): Pod {
  return { ...p, metadata: { ...p.metadata, annotations: { ...p.metadata.annotations, counter: String(value) } } };
}

function expectConflict(body: unknown, name: string, message = MODIFIED): void {
  expect(body).toMatchObject({ kind: "Status", status: "Failure", reason: "Conflict", code: 409, message: `Operation cannot be fulfilled on pods "${name}": ${message}`, details: { name, kind: "pods" } });
}

describe("optimistic concurrency: many writers, one object", () => {
  it(`PUT: ${WRITERS} writers holding the same version, ${ROUNDS} rounds: one wins each round, the rest 409`, async () => {
    await create(counterPod("put-counter"));
    for (let round = 0; round < ROUNDS; round++) {
      const reads = await all(WRITERS, () => get("put-counter"));
      expect(new Set(reads.map((p) => p.metadata.resourceVersion)).size).toBe(1);
      const writes = await all(WRITERS, (i) => callJson<Pod>(`${PODS}/put-counter`, { method: "PUT", body: withCounter(reads[i], counterOf(reads[i]) + 1) }));
      const won = writes.filter((w) => w.status === 200);
      const lost = writes.filter((w) => w.status !== 200);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(WRITERS - 1);
      for (const w of lost) expectConflict(w.body, "put-counter");
      // The winner's answer is what is stored now.
      expect((await get("put-counter")).metadata.resourceVersion).toBe(won[0].body.metadata.resourceVersion);
      tally.rounds++;
      tally.successes++;
      tally.conflicts += lost.length;
    }
    expect(counterOf(await get("put-counter"))).toBe(ROUNDS);
  });

  it("PUT with retry on conflict (client-go's RetryOnConflict): the counter equals the number of successful updates", async () => {
    await create(counterPod("retry-counter"));
    const UPDATES = 5;
    let conflicts = 0;
    let successes = 0;
    await all(WRITERS, async () => {
      for (let n = 0; n < UPDATES; n++) {
        for (let attempt = 0; ; attempt++) {
          expect(attempt).toBeLessThan(200);
          const cur = await get("retry-counter");
          const res = await callJson<Pod>(`${PODS}/retry-counter`, { method: "PUT", body: withCounter(cur, counterOf(cur) + 1) });
          if (res.status === 200) {
            successes++;
            break;
          }
          expectConflict(res.body, "retry-counter");
          conflicts++;
        }
      }
    });
    const final = counterOf(await get("retry-counter"));
    expect(successes).toBe(WRITERS * UPDATES);
    expect(final).toBe(successes);
    expect(conflicts).toBeGreaterThan(0);
    tally.successes += successes;
    tally.conflicts += conflicts;
    tally.lost += successes - final;
  });

  it("PATCH with a resourceVersion precondition: one wins per round, the rest 409", async () => {
    await create(counterPod("patch-counter"));
    for (let round = 0; round < ROUNDS; round++) {
      const reads = await all(WRITERS, () => get("patch-counter"));
      const writes = await all(WRITERS, (i) =>
        callJson<Pod>(`${PODS}/patch-counter`, {
          method: "PATCH",
          contentType: "application/merge-patch+json",
          body: { metadata: { resourceVersion: reads[i].metadata.resourceVersion, annotations: { counter: String(counterOf(reads[i]) + 1), [`writer-${i}`]: String(round) } } },
        }),
      );
      const won = writes.filter((w) => w.status === 200);
      expect(won).toHaveLength(1);
      for (const w of writes.filter((x) => x.status !== 200)) expectConflict(w.body, "patch-counter");
      tally.rounds++;
      tally.successes++;
      tally.conflicts += WRITERS - 1;
    }
    expect(counterOf(await get("patch-counter"))).toBe(ROUNDS);
  });

  it("PATCH without a precondition is applied to the latest version: every writer's change is kept", async () => {
    await create(counterPod("patch-merge"));
    const writes = await all(WRITERS, (i) =>
      callJson(`${PODS}/patch-merge`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { annotations: { [`writer-${i}`]: "yes" } } } }),
    );
    expect(writes.map((w) => w.status)).toEqual(Array(WRITERS).fill(200));
    const annotations = (await get("patch-merge")).metadata.annotations ?? {};
    for (let i = 0; i < WRITERS; i++) expect(annotations[`writer-${i}`]).toBe("yes");
    tally.successes += WRITERS;
  });

  it("PUT without a resourceVersion is unconditional: never a 409, the last write stands", async () => {
    const created = await create(counterPod("put-unconditional"));
    const { resourceVersion: _rv, ...metadata } = created.metadata;
    const writes = await all(WRITERS, (i) => callJson<Pod>(`${PODS}/put-unconditional`, { method: "PUT", body: { ...created, metadata: { ...metadata, annotations: { counter: String(i) } } } }));
    expect(writes.map((w) => w.status)).toEqual(Array(WRITERS).fill(200));
    // The stored object is the write with the highest resourceVersion.
    const last = writes.reduce((a, b) => (Number(b.body.metadata.resourceVersion) > Number(a.body.metadata.resourceVersion) ? b : a));
    const stored = await get("put-unconditional");
    expect(stored.metadata.resourceVersion).toBe(last.body.metadata.resourceVersion);
    expect(stored.metadata.annotations?.counter).toBe(last.body.metadata.annotations?.counter);
    expect(new Set(writes.map((w) => w.body.metadata.resourceVersion)).size).toBe(WRITERS);
  });

  it("DELETE with a resourceVersion precondition: one deletes, the others 404 once it is gone", async () => {
    const created = await create(counterPod("del-once"));
    const rv = created.metadata.resourceVersion;
    const deletes = await all(WRITERS, () => callJson<Status>(`${PODS}/del-once`, { method: "DELETE", body: { preconditions: { resourceVersion: rv } } }));
    expect(deletes.filter((d) => d.status === 200)).toHaveLength(1);
    for (const d of deletes.filter((x) => x.status !== 200)) {
      expect(d.status).toBe(404);
      expect(d.body.message).toBe('pods "del-once" not found');
    }
    expect((await callJson(`${PODS}/del-once`)).status).toBe(404);
  });

  it("DELETE with preconditions of an object that stays (a finalizer): one marks it, the others fail the precondition", async () => {
    const created = await create(counterPod("del-final", { finalizers: ["edgekube.test/hold"] }));
    const { resourceVersion: rv, uid } = created.metadata;
    const deletes = await all(WRITERS, (i) =>
      callJson<Pod>(`${PODS}/del-final`, { method: "DELETE", body: { preconditions: i % 2 ? { resourceVersion: rv } : { resourceVersion: rv, uid } } }),
    );
    const won = deletes.filter((d) => d.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0].body.metadata.deletionTimestamp).toBeTruthy();
    const after = await get("del-final");
    expect(after.metadata.resourceVersion).toBe(won[0].body.metadata.resourceVersion);
    for (const d of deletes.filter((x) => x.status !== 200)) {
      expectConflict(d.body, "del-final", `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${after.metadata.resourceVersion}`);
    }
    // A wrong uid is refused as such, whatever the version.
    const wrongUid = await callJson<Status>(`${PODS}/del-final`, { method: "DELETE", body: { preconditions: { uid: "not-the-uid" } } });
    expectConflict(wrongUid.body, "del-final", `Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${uid}`);
    tally.conflicts += WRITERS - 1;
  });
});

describe("concurrent creates", () => {
  it(`${WRITERS} creates of one name: one 201, the rest 409 AlreadyExists; one object, one ADDED`, async () => {
    const store = new ObjectStore(env.DB);
    const before = (await store.revision()).rv;
    const creates = await all(WRITERS, (i) => callJson<Pod>(PODS, { method: "POST", body: counterPod("same-name", { labels: { writer: String(i) } }) }));
    const won = creates.filter((c) => c.status === 201);
    expect(won).toHaveLength(1);
    for (const c of creates.filter((x) => x.status !== 201)) {
      expect(c.status).toBe(409);
      expect(c.body).toMatchObject({ reason: "AlreadyExists", message: 'pods "same-name" already exists', details: { name: "same-name", kind: "pods" } });
    }
    const stored = await get("same-name");
    expect(stored.metadata.uid).toBe(won[0].body.metadata.uid);
    expect(stored.metadata.labels).toEqual(won[0].body.metadata.labels);
    const listed = await callJson<{ items: Pod[] }>(`${PODS}?fieldSelector=metadata.name%3Dsame-name`);
    expect(listed.body.items).toHaveLength(1);
    const log = (await store.changesSince("pods", before, 10_000)).filter((c) => c.object.metadata.name === "same-name");
    expect(log.map((c) => c.type)).toEqual(["ADDED"]);
    tally.conflicts += WRITERS - 1;
  });

  it(`${WRITERS * 2} concurrent generateName creates: all created, all names distinct`, async () => {
    const n = WRITERS * 2;
    const creates = await all(n, () => callJson<Pod>(PODS, { method: "POST", body: { ...counterPod(""), metadata: { generateName: "gen-", labels: { batch: "gen" } } } }));
    expect(creates.map((c) => c.status)).toEqual(Array(n).fill(201));
    const names = creates.map((c) => c.body.metadata.name!);
    expect(new Set(names).size).toBe(n);
    for (const name of names) expect(name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const listed = await callJson<{ items: Pod[] }>(`${PODS}?labelSelector=batch%3Dgen`);
    expect(listed.body.items.map((p) => p.metadata.name).sort()).toEqual([...names].sort());
  });

  it("concurrent creates of one Service: one stored, one cluster IP held, the losers' addresses given back", async () => {
    const svc = (i: number) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "race-svc", labels: { writer: String(i) } }, spec: { type: "NodePort", selector: { app: "race" }, ports: [{ port: 80 }] } });
    const creates = await all(WRITERS, (i) => callJson<{ metadata: { uid: string }; spec: { clusterIP: string; ports: { nodePort: number }[] } } & Status>("/api/v1/namespaces/default/services", { method: "POST", body: svc(i) }));
    const won = creates.filter((c) => c.status === 201);
    expect(won).toHaveLength(1);
    for (const c of creates.filter((x) => x.status !== 201)) expect(c.body).toMatchObject({ code: 409, reason: "AlreadyExists", message: 'services "race-svc" already exists' });
    // The allocator holds exactly the winner's addresses: what the losers were given went back.
    const held = await runInDurableObject(env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager")), (_cm, state) =>
      [...state.storage.kv.list<{ owner: { name: string; uid: string } }>({ prefix: "svc-" })].filter(([, r]) => r.owner.name === "race-svc").map(([k, r]) => [k, r.owner.uid]),
    );
    expect(held.sort()).toEqual(
      [
        [`svc-ip:${won[0].body.spec.clusterIP}`, won[0].body.metadata.uid],
        [`svc-port:${won[0].body.spec.ports[0].nodePort}/TCP`, won[0].body.metadata.uid],
      ].sort(),
    );
  });
});

describe("the record", () => {
  it("reports rounds, writers, conflicts and lost updates", () => {
    console.log(`optimistic concurrency: ${JSON.stringify(tally)}`);
    expect(tally.lost).toBe(0);
    expect(tally.rounds).toBe(ROUNDS * 2);
  });
});
