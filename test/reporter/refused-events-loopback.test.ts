import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import type { OneOf } from "../../src/gen/events/events.js";
import type { Event } from "../../src/gen/tenants/tenants.js";
import { newRegistry, type Registry } from "../../src/observability/metrics.js";
import { buildActivityEvent } from "../../src/reporter/activity-builder.js";
import { HmacAnonymizer } from "../../src/reporter/anonymizer/hmac-anonymizer.js";
import { Reporter } from "../../src/reporter/reporter.js";
import { createGrpcSubmitter, type GrpcSubmitter } from "../../src/reporter/submitter/grpc-submitter.js";
import { hashToken, startTenantsServer, TenantTokens } from "../../src/tenants/index.js";
import { FakeSink } from "../tenants/fake-sink.js";
import { active, FakeEventSource, MemoryCursorStore, scripted } from "./support/fakes.js";

/** Both sides' clock: the reporter checks against it at build time, the service on arrival. */
const NOW = Date.parse("2026-09-01T09:00:00Z");
const TOKEN = "acme-reporter-token";
const anonymizer = new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001"));

/** Audit events the tenants service refuses, each with what its refusal says. */
const REFUSED: [name: string, fields: Record<string, unknown>, problem: string][] = [
  ["a type it refuses", { event: "session start" }, 'type "session start" is not an audit event type'],
  ["a time before 2000", { time: "1999-12-31T23:59:59Z" }, "is before 2000-01-01"],
  ["a time 1 h in the future", { time: "2026-09-01T10:00:00Z" }, "is in the future"],
];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tenantsService(): Promise<{ sink: FakeSink; submitter: GrpcSubmitter }> {
  const sink = new FakeSink();
  const server = await startTenantsServer(sink, {
    listen: "127.0.0.1:0",
    tokens: new TenantTokens([{ id: "acme", tokenSha256: hashToken(TOKEN) }]),
    now: () => NOW,
  });
  cleanups.push(() => server.shutdown(1000));
  const submitter = await createGrpcSubmitter(`127.0.0.1:${server.port}`, { token: TOKEN });
  cleanups.push(() => submitter.close());
  return { sink, submitter };
}

async function rejected(registry: Registry): Promise<number> {
  const values = (await registry.getSingleMetric("tenant_events_reporter_events_rejected_total")?.get())
    ?.values;
  return values?.find((v) => v.labels["reason"] === "invalid")?.value ?? 0;
}

/** The event as the reporter would send it without checking it first: built valid, then altered. */
function unchecked(source: OneOf, fields: Record<string, unknown>): Event {
  const built = buildActivityEvent(source, anonymizer, NOW);
  if (built === null) throw new Error("the base event makes nobody active");
  const time = typeof fields["time"] === "string" ? Date.parse(fields["time"]) : undefined;
  return {
    ...built,
    type: typeof fields["event"] === "string" ? fields["event"] : built.type,
    time:
      time === undefined
        ? built.time
        : { seconds: BigInt(Math.floor(time / 1000)), nanos: (time % 1000) * 1_000_000 },
  };
}

describe("events the tenants service refuses, over loopback gRPC to the real service", () => {
  it("are skipped and counted by the reporter; the rest of the batch is stored and the cursor advances", async () => {
    const { sink, submitter } = await tenantsService();
    const events = [
      active(1),
      ...REFUSED.map(([, fields], i) => active(i + 2, undefined, undefined, fields)),
      active(5),
    ];
    const store = new MemoryCursorStore();
    const registry = newRegistry();
    const reporter = new Reporter({
      source: new FakeEventSource(scripted(events)),
      submitter,
      cursorStore: store,
      anonymizer,
      registry,
      now: () => NOW,
      untilCaughtUp: true,
    });

    const result = await reporter.run(new AbortController().signal);

    expect(sink.events.map((b) => b.events.map((e) => e.id))).toEqual([["uid-1", "uid-5"]]);
    expect(store.cursor).toBe("c5");
    expect(result).toMatchObject({ cursor: "c5", eventsSubmitted: 2, batchesSubmitted: 1 });
    expect(await rejected(registry)).toBe(REFUSED.length);
  });

  it.each(REFUSED)(
    "still makes the service refuse %s sent directly, with its batch",
    async (_n, fields, problem) => {
      const { sink, submitter } = await tenantsService();
      const good = unchecked(active(1), {});
      const bad = unchecked(active(2), fields);

      const sent = submitter.submitEvents([good, bad]);

      await expect(sent).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(sent).rejects.toThrow(problem);
      expect(sink.events).toEqual([]);
      await expect(submitter.submitEvents([good])).resolves.toEqual({ accepted: 1 });
    },
  );
});
