/**
 * Keys of rows known to be committed to a table that keeps its rows once written, so a writer can skip
 * them instead of having `ON CONFLICT DO NOTHING` find them again. Holds at most `limit` keys: adding
 * past it forgets them all, which costs only the skipped work, never a row.
 */
export class RecordedKeys {
  private keys = new Set<string>();

  /** `limit`: default 100 000 (about 20 MB of rollup keys). */
  constructor(private readonly limit = 100_000) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Call only once the rows are committed. */
  addAll(keys: readonly string[]): void {
    if (this.keys.size + keys.length > this.limit) this.keys = new Set();
    for (const key of keys) this.keys.add(key);
  }
}
