/** Instants as the case records them: ISO-8601 in UTC, from epoch milliseconds passed in (never read here). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
