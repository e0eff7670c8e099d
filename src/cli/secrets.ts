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
