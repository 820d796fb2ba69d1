// The cluster's signing key in D1: made once by whichever isolate first needs it and
// read by all the others. Two isolates that race both insert; the first row wins and
// both read it back, so every token is signed with, and verified against, one key.
import { drizzle } from "drizzle-orm/d1";
import { asc } from "drizzle-orm";
import { signingKeys } from "./schema";

export interface StoredSigningKey {
  kid: string;
  privateJwk: string;
}

export async function loadOrCreateSigningKey(d1: D1Database, generate: () => Promise<StoredSigningKey>, now: number): Promise<StoredSigningKey> {
  const db = drizzle(d1);
  const first = () => db.select({ kid: signingKeys.kid, privateJwk: signingKeys.privateJwk }).from(signingKeys).orderBy(asc(signingKeys.createdAt), asc(signingKeys.kid)).limit(1).get();
  const existing = await first();
  if (existing) return existing;
  const made = await generate();
  // A fresh key inserts only into an empty table, so a racing isolate's key is not joined by a second one.
  await d1
    .prepare("INSERT INTO signing_keys (kid, private_jwk, created_at) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM signing_keys)")
    .bind(made.kid, made.privateJwk, now)
    .run();
  const stored = await first();
  if (!stored) throw new Error("the signing key could not be stored");
  return stored;
}
