import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { sourceMatches } from "../support/source-matches.js";

const run = promisify(execFile);
const dir = join(import.meta.dirname, "../../deploy/prometheus");
const rules = join(dir, "tenant-events.rules.yml");

/** Every metric name the product declares, read from the source (names are string literals there). */
const declaredMetricNames = () => sourceMatches("src", /"(tenant_events_[a-z_]+)"/g);

describe("Prometheus alert rules", () => {
  it("pass promtool check rules", async () => {
    const { stdout } = await run("promtool", ["check", "rules", rules]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("fire and stay quiet as their promtool unit tests expect", async () => {
    const { stdout, stderr } = await run("promtool", ["test", "rules", "tenant-events.rules.test.yml"], {
      cwd: dir,
    });
    expect(`${stdout}${stderr}`).toContain("SUCCESS");
  });

  it("use only metrics the product exports", () => {
    const declared = declaredMetricNames();
    const used = new Set(
      [...readFileSync(rules, "utf8").matchAll(/\b(tenant_events_[a-z_]+)\b/g)].map((m) => m[1]!),
    );
    expect(used.size).toBeGreaterThanOrEqual(5);
    for (const name of used) expect(declared, `${name} is not a metric of the product`).toContain(name);
  });
});
