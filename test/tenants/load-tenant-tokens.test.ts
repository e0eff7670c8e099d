import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { bearerMetadata } from "../../src/grpc/bearer-auth.js";
import { loadTenantTokens } from "../../src/tenants/load-tenant-tokens.js";
import { hashToken } from "../../src/tenants/tenant-tokens.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tenant-tokens-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadTenantTokens", () => {
  it("loads a tokens file", async () => {
    const file = join(dir, "tokens.json");
    await writeFile(file, JSON.stringify({ tenants: [{ id: "acme", token_sha256: hashToken("tok") }] }));
    const tokens = await loadTenantTokens(file);
    expect(tokens.authenticate(bearerMetadata("tok"))).toBe("acme");
  });

  it("names a file it cannot read", async () => {
    const file = join(dir, "missing.json");
    await expect(loadTenantTokens(file)).rejects.toThrow(InvalidArgumentError);
    await expect(loadTenantTokens(file)).rejects.toThrow(
      `cannot read the tenant tokens file "${file}": ENOENT`,
    );
  });

  it("names the file and the problem in a bad one", async () => {
    const file = join(dir, "tokens.json");
    await writeFile(file, `{"tenants":[{"id":"acme","token_sha256":"nope"}]}`);
    await expect(loadTenantTokens(file)).rejects.toThrow(
      `tenant tokens file "${file}": tenants[0]: token_sha256 must be 64 hexadecimal characters`,
    );
  });
});
