import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureEventsTable, writeEvents } from "../../src/auditlog/dynamo/index.js";
import { createEventsClient, type EventsClient } from "../../src/client/events-client.js";
import { formatEvent } from "../../src/events/codec.js";
import { LosslessNumber, type JsonObject } from "../../src/events/json.js";
import { startCountingProxy, type CountingProxy } from "../support/counting-proxy.js";
import { startDynamoDbLocal, type DynamoDbLocal } from "../support/dynamodb-local.js";
import { freePort, startCli, type RunningCli } from "../support/processes.js";

const TABLE = "teleport-events";
/** One way: every DynamoDB call of the events server costs at least twice this. */
const DELAY_MS = 10;
const FIRST_WRITES = 200;
const LATER_WRITES = 50;

/** Logins with distinct uids, numbered from `from` (numbers as the JSON parser gives them). */
function logins(from: number, count: number): JsonObject[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const second = String(i % 60).padStart(2, "0");
    const minute = String(Math.floor(i / 60) % 60).padStart(2, "0");
    return {
      ei: new LosslessNumber("0"),
      event: "user.login",
      uid: `relayed-${i}`,
      code: "T1000I",
      time: `2026-09-01T08:${minute}:${second}Z`,
      user: `user-${i % 17}@acme.com`,
    };
  });
}

function uids(events: readonly JsonObject[]): string[] {
  return events.map((e) => e["uid"] as string);
}

interface Received {
  uid: string;
  cursor: string;
}

/** Every uid exactly once: the same multiset as `expected`, whatever the order across shards. */
function expectExactlyOnce(received: readonly Received[], expected: readonly string[]): void {
  const got = received.map((r) => r.uid);
  expect(new Set(got).size).toBe(got.length);
  expect([...got].sort()).toEqual([...expected].sort());
}

describe("serve over DynamoDB Local behind a relay adding latency", () => {
  let local: DynamoDbLocal;
  let relay: CountingProxy;
  let dynamo: DynamoDBClient;
  let server: RunningCli;
  let client: EventsClient;

  const streamUntilCaughtUp = async (cursor: string): Promise<Received[]> => {
    const received: Received[] = [];
    for await (const event of client.streamEvents(cursor, { untilCaughtUp: true })) {
      if (event.event === undefined) throw new Error("a stream event without an event");
      const uid = (JSON.parse(formatEvent(event.event)) as { uid?: string }).uid;
      received.push({ uid: uid ?? "", cursor: event.cursor });
    }
    return received;
  };

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    relay = await startCountingProxy(Number(new URL(local.endpoint).port), { delayMs: DELAY_MS });
    // The table and its events go straight to DynamoDB Local: only the events server's traffic is relayed.
    dynamo = new DynamoDBClient(local.clientConfig);
    await ensureEventsTable(dynamo, TABLE);
    const written = await writeEvents(dynamo, TABLE, logins(0, FIRST_WRITES));
    expect(written).toEqual({ written: FIRST_WRITES, duplicates: 0 });
    const port = await freePort();
    server = startCli(
      [
        "serve",
        "--audit-log",
        `dynamodb:${TABLE}`,
        "--endpoint",
        `http://127.0.0.1:${relay.port}`,
        "--listen",
        `127.0.0.1:${port}`,
      ],
      {
        AWS_REGION: local.clientConfig.region,
        AWS_ACCESS_KEY_ID: local.clientConfig.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: local.clientConfig.credentials.secretAccessKey,
        TENANT_EVENTS_POLL_INTERVAL: "200ms",
      },
    );
    await server.waitForLog(/events server ready/);
    client = await createEventsClient(`127.0.0.1:${port}`, { backoff: { maxAttempts: 1 } });
  }, 120_000);

  afterAll(async () => {
    client?.close();
    server?.child.kill("SIGKILL");
    dynamo?.destroy();
    await relay?.close();
    await local?.stop();
  });

  it("streams every event once, resumes from the middle with exactly the rest, then gets exactly the new ones", async () => {
    relay.reset();
    const all = await streamUntilCaughtUp("");
    expectExactlyOnce(all, uids(logins(0, FIRST_WRITES)));
    // The server read the table's stream through the relay, not around it.
    expect(relay.downstreamBytes()).toBeGreaterThan(0);

    const middle = FIRST_WRITES / 2;
    const rest = await streamUntilCaughtUp(all[middle - 1]!.cursor);
    expectExactlyOnce(
      rest,
      all.slice(middle).map((r) => r.uid),
    );

    const later = logins(FIRST_WRITES, LATER_WRITES);
    expect(await writeEvents(dynamo, TABLE, later)).toEqual({ written: LATER_WRITES, duplicates: 0 });
    const following = await streamUntilCaughtUp(all.at(-1)!.cursor);
    expectExactlyOnce(following, uids(later));
    // The resumed stream's last cursor is as good a place to go on from.
    expectExactlyOnce(await streamUntilCaughtUp(rest.at(-1)!.cursor), uids(later));
  });
});
