import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InternalError, InvalidArgumentError } from "../../../src/errors/errors.js";
import { JsonFileUsageSource, parseUsageCounts } from "../../../src/reporter/usage/json-file-usage-source.js";

const zero = {
  users: 0n,
  servers: 0n,
  databases: 0n,
  apps: 0n,
  kubeClusters: 0n,
  desktops: 0n,
  roles: 0n,
  authConnectors: 0n,
};

describe("parseUsageCounts", () => {
  it("reads every count, exactly", () => {
    const text = JSON.stringify({
      cluster: "acme-prod.teleport.sh",
      time: "2026-09-01T00:00:00Z",
      users: 120,
      servers: 40,
      databases: 3,
      apps: 2,
      kube_clusters: 1,
      desktops: 5,
      roles: 9,
      auth_connectors: 2,
    }).replace("120", "18446744073709551615");
    expect(parseUsageCounts(text)).toEqual([
      {
        cluster: "acme-prod.teleport.sh",
        time: new Date("2026-09-01T00:00:00Z"),
        users: 18446744073709551615n,
        servers: 40n,
        databases: 3n,
        apps: 2n,
        kubeClusters: 1n,
        desktops: 5n,
        roles: 9n,
        authConnectors: 2n,
      },
    ]);
  });

  it("reads an array, counts as decimal strings, and missing counts as 0", () => {
    expect(parseUsageCounts('[{"cluster":"a","users":"7"},{"cluster":"b"}]')).toEqual([
      { cluster: "a", ...zero, users: 7n },
      { cluster: "b", ...zero },
    ]);
  });

  it.each([
    ["not json", /not JSON/],
    ["42", /the object is not a JSON object/],
    ['[{"cluster":"a"}, 3]', /entry 1 is not a JSON object/],
    ['{"users":1}', /"cluster" is required/],
    ['{"cluster":""}', /"cluster" must be a non-empty string/],
    ['{"cluster":"a","users":-1}', /"users" must be a non-negative integer/],
    ['{"cluster":"a","users":1.5}', /"users" must be a non-negative integer/],
    ['{"cluster":"a","roles":18446744073709551616}', /"roles" must be a non-negative integer below 2\^64/],
    ['{"cluster":"a","time":"soon"}', /"time" must be an RFC 3339 time/],
    ['{"cluster":"a","kube_cluster":1}', /unknown key "kube_cluster"/],
  ])("refuses %s", (text, message) => {
    expect(() => parseUsageCounts(text)).toThrow(InvalidArgumentError);
    expect(() => parseUsageCounts(text)).toThrow(message);
  });
});

describe("JsonFileUsageSource", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "usage-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the file afresh each time", async () => {
    const path = join(dir, "usage.json");
    const source = new JsonFileUsageSource(path);
    await writeFile(path, '{"cluster":"a","users":1}');
    expect((await source.read())[0]?.users).toBe(1n);
    await writeFile(path, '{"cluster":"a","users":2}');
    expect((await source.read())[0]?.users).toBe(2n);
  });

  it("names the file in its errors", async () => {
    const path = join(dir, "usage.json");
    await writeFile(path, '{"cluster":"a","user":1}');
    await expect(new JsonFileUsageSource(path).read()).rejects.toThrow(
      /usage file .*usage\.json: .*unknown key "user"/,
    );
    await expect(new JsonFileUsageSource(join(dir, "missing.json")).read()).rejects.toThrow(InternalError);
  });
});
