/**
 * Where the reporter keeps its checkpoint: the stream cursor just after the last event whose effects
 * the central side has acknowledged.
 *
 * Implementations: FileCursorStore (file-cursor-store.ts).
 */
export interface CursorStore {
  /** The saved cursor, or "" when nothing has been saved yet (start per the server's start position). */
  load(): Promise<string>;
  /** Replaces the saved cursor. Once this resolves the cursor survives a crash; a crash during it leaves
   * either the old or the new cursor, never a mix. */
  save(cursor: string): Promise<void>;
}
