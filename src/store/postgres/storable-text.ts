import { InvalidArgumentError } from "../../errors/errors.js";

/**
 * PostgreSQL text cannot hold NUL, and the driver sends strings as UTF-8, which turns a lone surrogate
 * into U+FFFD (so two different ids could store as one). Both are refused up front, so a batch is
 * rejected whole instead of failing mid-statement or being silently altered.
 */
/* eslint-disable no-control-regex */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/* eslint-enable no-control-regex */

export function checkStorableText(value: string, what: string): void {
  if (UNSTORABLE.test(value)) {
    throw new InvalidArgumentError(
      `${what} contains NUL or an unpaired surrogate, which PostgreSQL cannot store`,
    );
  }
}
