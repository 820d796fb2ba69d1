// The cluster's CA certificate in D1: made once by whichever isolate first needs it;
// a racing isolate's insert is ignored and both read back the one row.
import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { clusterCa } from "./schema";

const ROW = "ca";

export async function loadOrCreateClusterCA(d1: D1Database, generate: () => Promise<string>, now: number): Promise<string> {
  const db = drizzle(d1);
  const read = async () => (await db.select({ pem: clusterCa.certPem }).from(clusterCa).where(eq(clusterCa.id, ROW)).get())?.pem;
  const existing = await read();
  if (existing) return existing;
  const pem = await generate();
  await db.insert(clusterCa).values({ id: ROW, certPem: pem, createdAt: now }).onConflictDoNothing();
  const stored = await read();
  if (!stored) throw new Error("the cluster CA could not be stored");
  return stored;
}
