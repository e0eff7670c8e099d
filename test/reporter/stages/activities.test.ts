import { describe, expect, it } from "vitest";
import type { InvalidArgumentError } from "../../../src/errors/errors.js";
import type { StreamEvent } from "../../../src/gen/auth/auth.js";
import { HmacAnonymizer } from "../../../src/reporter/anonymizer/hmac-anonymizer.js";
import { activities, type Consumed } from "../../../src/reporter/stages/activities.js";
import type { RefusalReason } from "../../../src/reporter/stages/refusals.js";
import { Channel } from "../../support/channel.js";
import { active, filtered } from "../support/fakes.js";

const anonymizer = new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001"));
const now = Date.parse("2026-09-02T00:00:00Z");

async function run(events: StreamEvent[]) {
  const refused: { reason: RefusalReason; err: InvalidArgumentError }[] = [];
  let consumed = 0;
  const out: Consumed[] = [];
  const input = new Channel<StreamEvent>();
  input.push(...events);
  input.end();
  for await (const item of activities(input, {
    anonymizer,
    now: () => now,
    onConsumed: () => consumed++,
    onRefused: (err, reason) => refused.push({ err, reason }),
  })) {
    out.push(item);
  }
  return { out, refused, consumed };
}

describe("activities", () => {
  it("turns an event that makes a user active into an anonymized activity event at its cursor", async () => {
    const { out, consumed } = await run([{ event: active(1), cursor: "c1" }]);
    expect(consumed).toBe(1);
    expect(out).toHaveLength(1);
    const [item] = out;
    expect(item?.kind).toBe("activity");
    if (item?.kind !== "activity") return;
    expect(item.cursor).toBe("c1");
    expect(item.event).toMatchObject({
      id: "uid-1",
      protocol: "ssh",
      user: anonymizer.anonymize("alice@acme.com"),
    });
  });

  it("passes a filtered-out event and a bare checkpoint on as positions, counting only the event", async () => {
    const { out, consumed } = await run([
      { event: filtered(1), cursor: "" },
      { event: undefined, cursor: "c2" },
    ]);
    expect(out).toEqual([
      { kind: "filtered", cursor: "" },
      { kind: "checkpoint", cursor: "c2" },
    ]);
    expect(consumed).toBe(1);
  });

  it("skips alone an event the tenants service would refuse, as a filtered-out one, and says why", async () => {
    const future = active(2, "alice@acme.com", "acme-prod.teleport.sh", { time: "2031-01-01T00:00:00Z" });
    const { out, refused } = await run([
      { event: future, cursor: "c1" },
      { event: active(3), cursor: "c2" },
    ]);
    expect(out.map((i) => i.kind)).toEqual(["filtered", "activity"]);
    expect(refused.map((r) => r.reason)).toEqual(["invalid"]);
    expect(refused[0]?.err.message).toMatch(/future/);
  });
});
