import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./cli.js";

/**
 * The first capture group of every match of `pattern` (global) in the TypeScript files under `folder`
 * (relative to the repository), for tests that check a document against what the code declares. With
 * `only`, just the files whose text matches it count (e.g. those importing one client).
 */
export function sourceMatches(folder: string, pattern: RegExp, only?: RegExp): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        if (only !== undefined && !only.test(text)) continue;
        for (const m of text.matchAll(pattern)) if (m[1] !== undefined) found.add(m[1]);
      }
    }
  };
  walk(join(REPO_ROOT, folder));
  return found;
}
