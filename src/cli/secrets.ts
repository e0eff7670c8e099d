import { readFile } from "node:fs/promises";
import { UsageError } from "./usage-error.js";

/**
 * A secret from a file (trailing newline ignored) or, failing that, from an environment variable. Files
 * are preferred: environment variables leak into process listings and crash dumps more easily.
 * Resolves to undefined when neither is given; an empty secret is refused.
 */
export async function readSecret(
  file: string | undefined,
  envVar: string,
  what: string,
): Promise<string | undefined> {
  let value: string | undefined;
  if (file !== undefined) {
    try {
      value = await readFile(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new UsageError(`cannot read the ${what} file "${file}": ${code}`);
    }
  } else {
    value = process.env[envVar];
    if (value === undefined) return undefined;
  }
  const secret = value.replace(/\r?\n$/, "");
  if (secret.trim() === "") {
    throw new UsageError(`the ${what} is empty (${file === undefined ? envVar : `file "${file}"`})`);
  }
  return secret;
}

/**
 * A binary secret (the anonymization key) from a file or an environment variable; one trailing newline
 * is dropped so a key written with `echo` works. An empty key is refused.
 */
export async function readSecretBytes(
  file: string | undefined,
  envVar: string,
  what: string,
): Promise<Uint8Array | undefined> {
  let bytes: Buffer;
  if (file !== undefined) {
    try {
      bytes = await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new UsageError(`cannot read the ${what} file "${file}": ${code}`);
    }
  } else {
    const value = process.env[envVar];
    if (value === undefined) return undefined;
    bytes = Buffer.from(value, "utf8");
  }
  if (bytes.at(-1) === 0x0a) bytes = bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1);
  if (bytes.length === 0) {
    throw new UsageError(`the ${what} is empty (${file === undefined ? envVar : `file "${file}"`})`);
  }
  return bytes;
}
