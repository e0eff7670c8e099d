import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../errors/errors.js";
import { TenantTokens } from "./tenant-tokens.js";

/**
 * Reads a tenant tokens file (format: TenantTokens).
 * @throws InvalidArgumentError when the file cannot be read or is not a valid tokens file, naming it
 */
export async function loadTenantTokens(path: string): Promise<TenantTokens> {
  const source = `tenant tokens file "${path}"`;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InvalidArgumentError(`cannot read the ${source}: ${reason}`, { cause: err });
  }
  return TenantTokens.parse(text, source);
}
