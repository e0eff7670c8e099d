/**
 * Turns an identifying string (a user or cluster name) into an opaque, stable token, so the central side
 * can count distinct users without learning who they are. The key never leaves the tenant side.
 *
 * Implementations: HmacAnonymizer (hmac-anonymizer.ts).
 */
export interface Anonymizer {
  /** The same input always yields the same token under one key; tokens reveal nothing of the input. */
  anonymize(value: string): string;
}
