import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

const dirs: string[] = [];

/** A source tree of the given files, checked by the layer script: its exit code and problems. */
async function check(files: Record<string, string>): Promise<{ code: number | null; problems: string[] }> {
  const root = await mkdtemp(join(tmpdir(), "tenant-events-layers-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const run = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/check-layers.mjs"), root], {
    encoding: "utf8",
  });
  return {
    code: run.status,
    problems: run.stderr.split("\n").filter((l) => l.startsWith("src/") || l.startsWith("import cycle")),
  };
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("the import structure check", () => {
  it("passes a tree where each folder imports lower layers through their surface", async () => {
    const result = await check({
      "src/errors/errors.ts": "export class E extends Error {}\n",
      "src/events/codec.ts": 'import { E } from "../errors/errors.js";\nexport const c = E;\n',
      "src/reporter/reporter.ts": 'import { c } from "../events/codec.js";\nexport const r = c;\n',
      "src/reporter/stages/delivery.ts": 'import { r } from "../reporter.js";\nexport const d = r;\n',
      "src/cli/main.ts": 'import { d } from "../reporter/stages/index.js";\nexport const m = d;\n',
      "src/reporter/stages/index.ts": 'export { d } from "./delivery.js";\n',
    });
    expect(result).toEqual({ code: 0, problems: [] });
  });

  it("refuses an import of a higher or the same layer", async () => {
    const result = await check({
      "src/events/codec.ts": 'import { r } from "../reporter/reporter.js";\nexport const c = r;\n',
      "src/reporter/reporter.ts": "export const r = 1;\n",
      "src/server/server.ts": 'import type { X } from "../client/client.js";\nexport type S = X;\n',
      "src/client/client.ts": "export type X = 1;\n",
    });
    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      "src/events/codec.ts:1: src/events (layer 1) imports src/reporter/reporter.ts (layer 4): only lower layers",
      "src/server/server.ts:1: src/server (layer 4) imports src/client/client.ts (layer 4): only lower layers",
    ]);
  });

  it("refuses an import of another folder's internals", async () => {
    const result = await check({
      "src/store/duckdb/schema.ts": "export const schema = 1;\n",
      "src/tenants/service.ts":
        'import { schema } from "../store/duckdb/schema.js";\nexport const s = schema;\n',
    });
    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      "src/tenants/service.ts:1: imports src/store/duckdb/schema.ts, inside another folder: use its files or index.ts",
    ]);
  });

  it("refuses an import cycle, also within a folder, and a folder with no layer", async () => {
    const result = await check({
      "src/events/a.ts": 'import { b } from "./b.js";\nexport const a = b;\n',
      "src/events/b.ts": 'export { c as b } from "./c.js";\n',
      "src/events/c.ts": 'import type { a } from "./a.js";\nexport const c: typeof a = 1;\n',
      "src/extra/x.ts": "export const x = 1;\n",
    });
    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      "src/extra/x.ts: folder src/extra has no layer in LAYERS",
      "import cycle: src/events/a.ts → src/events/b.ts → src/events/c.ts",
    ]);
  });
});
