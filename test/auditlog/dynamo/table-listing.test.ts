import { describe, expect, it } from "vitest";
import type {
  StreamDescriptionPage,
  StreamsClient,
  TableStream,
} from "../../../src/auditlog/dynamo/streams-client.js";
import { TableListing } from "../../../src/auditlog/dynamo/table-listing.js";
import { Aborted } from "../../../src/auditlog/dynamo/throttled-call.js";
import { UnavailableError } from "../../../src/errors/errors.js";
import { VirtualClock } from "./stream-simulator.js";

const ARN = "arn:aws:dynamodb:sim:000000000000:table/t/stream/1";

/** A client whose DescribeStream answers wait until the test settles them, one page each. */
function scriptedClient() {
  const pending: { resolve: (page: StreamDescriptionPage) => void; reject: (err: Error) => void }[] = [];
  let describeTables = 0;
  const client = {
    describeTableStream: (table: string): Promise<TableStream> => {
      describeTables++;
      return Promise.resolve({ table, streamEnabled: true, streamArn: ARN, viewType: "NEW_IMAGE" });
    },
    describeStream: () =>
      new Promise<StreamDescriptionPage>((resolve, reject) => pending.push({ resolve, reject })),
  } as unknown as StreamsClient;
  return {
    client,
    pending,
    describeTables: () => describeTables,
    answer(shards: { id: string; closed?: boolean }[]) {
      const call = pending.shift();
      if (!call) throw new Error("no DescribeStream call is waiting");
      call.resolve({
        status: "ENABLED",
        shards: shards.map((s) => ({ shardId: s.id, ...(s.closed ? { endingSequenceNumber: "9" } : {}) })),
      });
    },
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function listingOf(client: StreamsClient, clock = new VirtualClock()) {
  return new TableListing({ table: "t", client, clock, call: (_operation, request) => request() });
}

const NEVER = new AbortController().signal;

describe("TableListing", () => {
  it("makes one DescribeStream for callers that ask while it is in flight", async () => {
    const script = scriptedClient();
    const listing = listingOf(script.client);
    const asks = [1, 2, 3].map(() => listing.get(ARN, () => true, NEVER));
    await flush();
    expect(script.pending).toHaveLength(1);
    script.answer([{ id: "a" }]);
    const got = await Promise.all(asks);
    expect(got.map((l) => l.shards.map((s) => s.id))).toEqual([["a"], ["a"], ["a"]]);
  });

  it("hands out the latest listing when the caller accepts it, and lists anew when not", async () => {
    const clock = new VirtualClock();
    const script = scriptedClient();
    const listing = listingOf(script.client, clock);
    const first = listing.get(ARN, () => false, NEVER);
    await flush();
    script.answer([{ id: "a" }]);
    const made = await first;
    expect(made.startedAt).toBe(clock.now());
    expect(await listing.get(ARN, (l) => l.startedAt >= made.startedAt, NEVER)).toBe(made);
    clock.advance(1000);
    const fresh = listing.get(ARN, (l) => l.startedAt >= clock.now(), NEVER);
    await flush();
    expect(script.pending).toHaveLength(1);
    script.answer([{ id: "a", closed: true }, { id: "b" }]);
    expect((await fresh).shards).toEqual([
      { id: "a", closed: true },
      { id: "b", closed: false },
    ]);
  });

  it("a caller that finds the listing in flight wanting waits for one more, made after it, and no further", async () => {
    const clock = new VirtualClock();
    const script = scriptedClient();
    const listing = listingOf(script.client, clock);
    const early = listing.get(ARN, () => false, NEVER);
    await flush();
    clock.advance(10);
    const asked = clock.now();
    const late = listing.get(ARN, (l) => l.startedAt >= asked, NEVER);
    await flush();
    script.answer([{ id: "a" }]);
    await early;
    await flush();
    expect(script.pending).toHaveLength(1);
    script.answer([{ id: "a" }, { id: "b" }]);
    const got = await late;
    expect(got.startedAt).toBeGreaterThanOrEqual(asked);
    expect(got.shards.map((s) => s.id)).toEqual(["a", "b"]);
  });

  it("gives every caller waiting on a listing its error, and lists again for the next", async () => {
    const script = scriptedClient();
    const listing = listingOf(script.client);
    const asks = [1, 2].map(() => listing.get(ARN, () => false, NEVER));
    await flush();
    script.pending.shift()?.reject(new UnavailableError("DescribeStream failed"));
    for (const ask of asks) await expect(ask).rejects.toThrow("DescribeStream failed");
    const again = listing.get(ARN, () => false, NEVER);
    await flush();
    expect(script.pending).toHaveLength(1);
    script.answer([{ id: "a" }]);
    expect((await again).shards).toHaveLength(1);
  });

  it("a caller whose signal aborts stops waiting; the listing goes on for the others", async () => {
    const script = scriptedClient();
    const listing = listingOf(script.client);
    const controller = new AbortController();
    const leaving = listing.get(ARN, () => true, controller.signal);
    const staying = listing.get(ARN, () => true, NEVER);
    await flush();
    controller.abort();
    await expect(leaving).rejects.toBeInstanceOf(Aborted);
    script.answer([{ id: "a" }]);
    expect((await staying).shards).toHaveLength(1);
    expect(script.pending).toHaveLength(0);
  });

  it("shares DescribeTable while a call is in flight", async () => {
    const script = scriptedClient();
    const listing = listingOf(script.client);
    const tables = await Promise.all([1, 2, 3].map(() => listing.describeTable(NEVER)));
    expect(tables.map((t) => t.streamArn)).toEqual([ARN, ARN, ARN]);
    expect(script.describeTables()).toBe(1);
    await listing.describeTable(NEVER);
    expect(script.describeTables()).toBe(2);
  });
});
