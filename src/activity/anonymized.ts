/**
 * Whether a value has the form the reporter's anonymizer gives: base64(HMAC-SHA256(key, s)), i.e. a
 * 32-byte value in standard base64 with padding (44 characters, the last one "="). The 43rd character
 * carries only 4 data bits, so in the canonical encoding it is one of the 16 characters whose low two
 * bits are zero. A raw user or cluster name practically never matches, so this catches a reporter that
 * forgot to anonymize.
 */
const ANONYMIZED = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isAnonymized(value: string): boolean {
  return ANONYMIZED.test(value);
}

export const ANONYMIZED_FORM =
  "44 characters of standard base64 encoding 32 bytes, as the reporter's anonymizer gives";
