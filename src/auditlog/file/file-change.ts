/** Which file a handle or a path refers to: device and inode, as `stat` with `bigint: true` gives them. */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

/** What the day file's name points at now: its identity and size, or undefined when the name is gone. */
export type PathState = (FileIdentity & { readonly size: bigint }) | undefined;

/**
 * What became of the file a reader has open, seen when it reaches the end of what it can read:
 * - `none`: the name still points at it and it holds at least what was read;
 * - `missing`: the name is gone (deleted, or renamed and not yet recreated): keep the open file, it may
 *   still be appended to or be followed by a later day file;
 * - `replaced`: the name points at another file (rotated by rename and create, or deleted and written
 *   anew): read the new file from its start, as `tail -F` does;
 * - `truncated`: the same file is now shorter than what was read (copytruncate): read it from its start.
 * A file truncated and then written past the read offset before the check looks like `none`: size and
 * identity cannot tell it apart from an append.
 */
export type FileChange = "none" | "missing" | "replaced" | "truncated";

export function fileChange(open: FileIdentity, readOffset: number, path: PathState): FileChange {
  if (path === undefined) return "missing";
  if (path.dev !== open.dev || path.ino !== open.ino) return "replaced";
  return path.size < BigInt(readOffset) ? "truncated" : "none";
}
