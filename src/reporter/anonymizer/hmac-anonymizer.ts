import { createHmac } from "node:crypto";
import { InvalidArgumentError } from "../../errors/errors.js";
import type { Anonymizer } from "./anonymizer.js";

/**
 * `anonymize(s) = base64(HMAC-SHA256(key, s))`: 44 characters, standard base64 with padding. This is
 * Teleport's own anonymizer (keyed there by the cluster id), so tokens match Teleport's usage reports
 * given the same key.
 */
export class HmacAnonymizer implements Anonymizer {
  readonly #key: Buffer;

  /**
   * @param key the secret, as bytes (the CLI reads it from a file or the environment).
   * @throws InvalidArgumentError when the key is empty: an empty key would make tokens reversible by
   *   anyone who guesses a name.
   */
  constructor(key: Uint8Array) {
    if (key.length === 0) {
      throw new InvalidArgumentError("anonymization key is empty: give a secret of at least one byte");
    }
    this.#key = Buffer.from(key);
  }

  anonymize(value: string): string {
    return createHmac("sha256", this.#key).update(value, "utf8").digest("base64");
  }
}
