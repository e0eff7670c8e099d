import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventProblems } from "../../src/activity/event-rules.js";
import { timeBounds } from "../../src/activity/time-bounds.js";
import { decodeStreamRecord } from "../../src/auditlog/dynamo/record-decoder.js";
import type { AttributeValue, Item, StreamRecord } from "../../src/auditlog/dynamo/streams-client.js";
import { decodeCursor, encodeCursor } from "../../src/cursor/cursor.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { eventFromJson, formatEvent, parseEvent } from "../../src/events/codec.js";
import { parseJson, type JsonObject } from "../../src/events/json.js";
import type { Event } from "../../src/gen/tenants/tenants.js";
import { validateEvents } from "../../src/tenants/event-validation.js";
import { asSdkHandsIt } from "../auditlog/dynamo/stream-simulator.js";
import { figure, SEED } from "./support/mode.js";

/**
 * Bad input for every decoder that reads what another party sent: no crash, no hang, and every
 * rejection an InvalidArgumentError whose message is short and says what is wrong (never a stack).
 */

const RUNS = 10_000;
const options = { numRuns: RUNS, seed: SEED };

/** Runs `decode`; a rejection must be a clear InvalidArgumentError. Returns whether it was accepted. */
function acceptsOrRefusesClearly(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const message = (err as Error).message;
    expect(message.length).toBeGreaterThan(0);
    expect(message.length).toBeLessThan(4096);
    expect(message).not.toMatch(/\n\s+at /);
    return false;
  }
}

/** Text that is near a cursor more often than uniformly random text would be. */
const cursorText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc
    .dictionary(
      fc.string({ maxLength: 30 }),
      fc.oneof(fc.stringMatching(/^[0-9]{1,70}$/), fc.string(), fc.jsonValue({ maxDepth: 2 })),
      { maxKeys: 6 },
    )
    .map((shards) => JSON.stringify({ shard_id_to_sequence_number: shards })),
  fc
    .tuple(
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[0-9]{1,64}$/),
      fc.nat(60),
      fc.string({ maxLength: 3 }),
    )
    .map(([shard, seq, cut, junk]) => {
      const text = JSON.stringify({ shard_id_to_sequence_number: { [shard]: seq } });
      return text.slice(0, text.length - cut) + junk;
    }),
);

const TYPES = [
  "user.login",
  "session.start",
  "session.end",
  "port",
  "exec",
  "kube.request",
  "sftp",
  "db.session.start",
  "app.session.start",
  "windows.desktop.session.start",
  "cert.create",
  "unknown",
  "bot.join",
];

/** Objects shaped like Teleport events, with every field free to be the wrong type. */
const eventLike: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    event: fc.oneof(fc.constantFrom(...TYPES), fc.string(), fc.jsonValue({ maxDepth: 1 })),
    code: fc.oneof(fc.constantFrom("T1000I", "T2000I", "T3003E", "TDB00W"), fc.jsonValue({ maxDepth: 1 })),
    time: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    uid: fc.oneof(fc.uuid(), fc.jsonValue({ maxDepth: 1 })),
    ei: fc.oneof(
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      fc.double(),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    user: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
    user_kind: fc.oneof(fc.integer({ min: -3, max: 5 }), fc.jsonValue({ maxDepth: 1 })),
    success: fc.jsonValue({ maxDepth: 1 }),
    addr: fc.oneof(fc.record({ local: fc.string(), remote: fc.string() }), fc.jsonValue({ maxDepth: 2 })),
    kubernetes_cluster: fc.jsonValue({ maxDepth: 1 }),
    kubernetes_users: fc.jsonValue({ maxDepth: 2 }),
    db_protocol: fc.jsonValue({ maxDepth: 1 }),
    unknown_event: fc.jsonValue({ maxDepth: 1 }),
    data: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

/** Event objects as JSON text: numbers written out exactly (bigint), sometimes cut or spliced. */
const eventText = fc.oneof(
  eventLike.map(toJsonText),
  fc
    .tuple(eventLike.map(toJsonText), fc.nat(40), fc.string({ unit: "binary", maxLength: 4 }))
    .map(([text, cut, junk]) => text.slice(0, Math.max(0, text.length - cut)) + junk),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(
    "",
    "{}",
    "[]",
    "null",
    '{"event":',
    '{"__proto__":{"event":"x"}}',
    "1e999999",
    '"\\ud800"',
  ),
);

function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `@@${v}@@` : v)).replace(
    /"@@(-?\d+)@@"/g,
    "$1",
  );
}

const numberText = fc.oneof(
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.stringMatching(/^-?(0|[1-9][0-9]{0,37})(\.[0-9]{0,9}[1-9])?$/),
);

/** Decimal spellings DynamoDB accepts on writes but never returns ("+1", ".5", "5.", "007", "1E+2"). */
const looseNumberText = fc
  .tuple(
    fc.constantFrom("", "+", "-"),
    fc.stringMatching(/^0{0,3}[0-9]{0,6}$/),
    fc.stringMatching(/^(\.[0-9]{0,4})?$/),
  )
  .filter(([, integer, fraction]) => /[0-9]/.test(integer + fraction))
  .chain(([sign, integer, fraction]) =>
    fc.constantFrom("", "e3", "E+2", "e-7").map((exponent) => `${sign}${integer}${fraction}${exponent}`),
  );

/**
 * DynamoDB attribute values of every kind, also as the SDK hands them: an empty map as `{}` (its
 * deserializer drops the member), a member it does not know as `$unknown`. Numbers are mostly canonical
 * decimal text, as DynamoDB returns them, sometimes another spelling it accepts.
 */
const attribute: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ S: fc.string() }),
    fc.record({ N: numberText }),
    fc.record({ N: looseNumberText }),
    fc.constant({} as AttributeValue),
    fc.constant({ $unknown: ["X", { S: "x" }] } as unknown as AttributeValue),
    fc.record({ BOOL: fc.boolean() }),
    fc.record({ NULL: fc.constant(true) }),
    fc.record({ B: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ SS: fc.array(fc.string(), { maxLength: 3 }) }),
    fc.record({ NS: fc.array(numberText, { maxLength: 3 }) }),
    fc.record({ L: fc.array(tie("value"), { maxLength: 3 }) }),
    fc.record({ M: fc.dictionary(fc.string({ maxLength: 12 }), tie("value"), { maxKeys: 4 }) }),
  ),
})).value;

const eventAsAttributes: fc.Arbitrary<AttributeValue> = eventLike.map((object) => {
  const toAttribute = (value: unknown): AttributeValue => {
    if (value === null || value === undefined) return { NULL: true };
    if (typeof value === "string") return { S: value };
    if (typeof value === "boolean") return { BOOL: value };
    if (typeof value === "bigint") return { N: value.toString() };
    if (typeof value === "number")
      return Number.isFinite(value) ? { N: String(value) } : { S: String(value) };
    if (Array.isArray(value)) return { L: value.map(toAttribute) };
    return { M: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toAttribute(v)])) };
  };
  return toAttribute(object);
});

const item: fc.Arbitrary<Item> = fc.record(
  {
    SessionID: fc.oneof(
      fc.record({ S: fc.oneof(fc.uuid(), fc.constant("CHUNK#1"), fc.string()) }),
      attribute,
    ),
    EventIndex: fc.oneof(fc.record({ N: numberText }), attribute),
    EventType: attribute,
    CreatedAt: attribute,
    FieldsMap: fc.oneof(eventAsAttributes, attribute),
    Fields: fc.oneof(
      eventText.map((S) => ({ S })),
      attribute,
    ),
  },
  { requiredKeys: [] },
);

const streamRecord: fc.Arbitrary<StreamRecord> = fc.record(
  {
    eventName: fc.oneof(
      { arbitrary: fc.constant("INSERT"), weight: 6 },
      fc.constantFrom("MODIFY", "REMOVE"),
      fc.string(),
    ),
    sequenceNumber: fc.stringMatching(/^[0-9]{1,40}$/),
    approximateCreationTime: fc.nat(),
    keys: item,
    newImage: item,
  },
  { requiredKeys: ["eventName", "sequenceNumber"] },
);

/** What the reporter's anonymizer gives: base64 of 32 bytes. */
const anonymized = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString("base64"));

/** Mostly valid, sometimes far off: weights keep about half the batches acceptable. */
function usually<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 1 });
}

/** tenants.Event with every field drawn near and far from what is valid. */
const activityEvent: fc.Arbitrary<Event> = fc.record({
  id: usually(fc.uuid(), fc.oneof(fc.string({ maxLength: 300 }), fc.constant(""))),
  time: usually(
    fc.record({
      seconds: fc.bigInt({ min: 946_684_800n, max: 1_789_000_000n }),
      nanos: fc.integer({ min: 0, max: 999_999_999 }),
    }),
    fc.option(
      fc.record({ seconds: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), nanos: fc.integer() }),
      { nil: undefined },
    ),
  ),
  type: usually(fc.constantFrom(...TYPES), fc.string({ maxLength: 300 })),
  user: usually(anonymized, fc.string({ maxLength: 60 })),
  userKind: usually(fc.constantFrom(1, 2), fc.integer({ min: -2, max: 4 })),
  protocol: usually(fc.constantFrom("", "ssh", "kube", "db", "app", "desktop"), fc.string({ maxLength: 10 })),
  cluster: usually(anonymized, fc.string({ maxLength: 60 })),
  sessionKind: usually(fc.constantFrom("", "k8s_port", "app_tcp"), fc.string({ maxLength: 80 })),
});

describe("bad input never crashes a decoder", () => {
  it(`the cursor decoder accepts or refuses clearly, and what it accepts round-trips (${RUNS} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(cursorText, (text) => {
        if (!acceptsOrRefusesClearly(() => decodeCursor(text))) return;
        accepted++;
        const cursor = decodeCursor(text);
        expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
      }),
      options,
    );
    figure("fuzz cursor", { cases: RUNS, accepted });
  });

  it(`the event codec parses or refuses clearly, and what it parses formats again (${RUNS} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(eventText, (text) => {
        if (!acceptsOrRefusesClearly(() => parseEvent(text))) return;
        accepted++;
        const event = parseEvent(text);
        expect(parseEvent(formatEvent(event))).toEqual(event);
      }),
      options,
    );
    figure("fuzz parseEvent", { cases: RUNS, accepted });
  });

  it(`eventFromJson takes any JSON object the lossless parser yields (${RUNS} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(eventLike.map(toJsonText), (text) => {
        const object = parseJson(text) as JsonObject;
        if (acceptsOrRefusesClearly(() => eventFromJson(object))) accepted++;
      }),
      options,
    );
    figure("fuzz eventFromJson", { cases: RUNS, accepted });
  });

  it(`the DynamoDB record decoder returns event, skip or invalid and never throws (${RUNS} cases)`, () => {
    const kinds = { event: 0, skip: 0, invalid: 0 };
    fc.assert(
      fc.property(streamRecord, (record) => {
        const decoded = decodeStreamRecord(record);
        kinds[decoded.kind]++;
        if (decoded.kind !== "event") expect(decoded.reason.length).toBeGreaterThan(0);
        if (record.eventName !== "INSERT") expect(decoded.kind).toBe("skip");
      }),
      options,
    );
    figure("fuzz decodeStreamRecord", { cases: RUNS, ...kinds });
  });

  it(`an item decodes the same whether its empty maps arrive as {"M":{}} or as the SDK's {} (${RUNS} cases)`, () => {
    let events = 0;
    fc.assert(
      fc.property(streamRecord, (record) => {
        const decoded = decodeStreamRecord(record);
        if (record.newImage === undefined) return;
        const asSdk = decodeStreamRecord({ ...record, newImage: asSdkHandsIt(record.newImage) });
        expect(asSdk.kind).toBe(decoded.kind);
        if (decoded.kind === "event" && asSdk.kind === "event") {
          events++;
          expect(formatEvent(asSdk.event)).toBe(formatEvent(decoded.event));
        }
      }),
      options,
    );
    figure("fuzz SDK-shaped items", { cases: RUNS, events });
  });

  it(`SubmitEvents validation accepts or refuses a batch clearly, naming the first bad event and the count (${RUNS} cases)`, () => {
    const bounds = timeBounds(Date.parse("2026-09-15T12:00:00Z"));
    let refused = 0;
    fc.assert(
      fc.property(fc.array(activityEvent, { minLength: 1, maxLength: 5 }), (events) => {
        const problems = events.map((event) => eventProblems(event, bounds));
        const ok = acceptsOrRefusesClearly(() => validateEvents(events, bounds, 10));
        expect(ok).toBe(problems.every((p) => p.length === 0));
        if (ok) return;
        refused++;
        try {
          validateEvents(events, bounds, 10);
        } catch (err) {
          const message = (err as Error).message;
          const total = problems.reduce((sum, p) => sum + p.length, 0);
          expect(message).toContain(`event ${problems.findIndex((p) => p.length > 0)}`);
          expect(message).toContain(`(${total} problem`);
        }
      }),
      options,
    );
    figure("fuzz SubmitEvents validation", { cases: RUNS, refused });
  });
});
