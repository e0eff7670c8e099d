import { describe, expect, it } from "vitest";
import { decodeStreamRecord } from "../../../src/auditlog/dynamo/record-decoder.js";
import type { StreamRecord } from "../../../src/auditlog/dynamo/streams-client.js";
import { formatEvent } from "../../../src/events/codec.js";
import { fixtureEvents, fixtureStreamRecords } from "./fixtures.js";

function record(eventName: string, newImage?: StreamRecord["newImage"]): StreamRecord {
  const r: StreamRecord = { eventName, sequenceNumber: "100000000000000000001" };
  if (newImage) r.newImage = newImage;
  return r;
}

describe("decodeStreamRecord", () => {
  it("decodes every fixture INSERT into its Teleport event", () => {
    const uids = new Set(fixtureEvents().map((e) => e["uid"]));
    for (const r of fixtureStreamRecords()) {
      const decoded = decodeStreamRecord(r);
      if (decoded.kind !== "event") throw new Error(`expected an event, got ${decoded.kind}`);
      const json = JSON.parse(formatEvent(decoded.event)) as { uid: string; event: string };
      expect(uids.has(json.uid)).toBe(true);
      expect(json.event).toBe((r.newImage?.["EventType"] as { S: string }).S);
    }
  });

  it.each(["MODIFY", "REMOVE"])("skips %s records", (name) => {
    const image = fixtureStreamRecords()[0]?.newImage;
    expect(decodeStreamRecord(record(name, image))).toEqual({ kind: "skip", reason: `${name} record` });
  });

  it("skips chunk items", () => {
    expect(decodeStreamRecord(record("INSERT", { SessionID: { S: "CHUNK#1" } })).kind).toBe("skip");
  });

  it("reports an INSERT without a new image (stream view type KEYS_ONLY) as invalid", () => {
    expect(decodeStreamRecord(record("INSERT"))).toEqual({
      kind: "invalid",
      reason: "INSERT record without NewImage (stream view type must be NEW_IMAGE)",
    });
  });

  it("reports unreadable legacy Fields as invalid", () => {
    expect(decodeStreamRecord(record("INSERT", { Fields: { S: "{" } })).kind).toBe("invalid");
  });
});
