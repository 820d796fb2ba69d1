/** metav1.MicroTime: RFC 3339 with microseconds, as Lease renewTime serialises. */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
