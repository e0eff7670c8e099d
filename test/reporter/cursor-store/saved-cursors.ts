/**
 * The i-th cursor the save loop writes: self-describing (an extra top-level key, which cursor decoding
 * ignores, holds i) and from ~150 bytes to ~20 KiB, so a torn write shows up as a truncated or mixed
 * cursor.
 */
export function savedCursor(i: number): string {
  const shards: Record<string, string> = {};
  const count = 1 + ((i * 37) % 250);
  for (let s = 0; s < count; s++) {
    shards[`shardId-00000001700000000000-${s.toString(16).padStart(8, "0")}`] = `49${i}`.padEnd(26, "0");
  }
  return JSON.stringify({ saved: i, shard_id_to_sequence_number: shards });
}

/** The i of a cursor written by savedCursor, or undefined when the text is not one of them. */
export function savedIndex(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { saved?: unknown };
    if (typeof parsed.saved !== "number") return undefined;
    return savedCursor(parsed.saved) === text ? parsed.saved : undefined;
  } catch {
    return undefined;
  }
}
