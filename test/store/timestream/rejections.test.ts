import { describe, expect, it } from "vitest";
import { classifyRejection, type RejectionFacts } from "../../../src/store/timestream/rejections.js";

const NOW = Date.parse("2024-03-05T12:00:00Z");
const SAME_VERSION =
  "A record already exists with the same time, dimensions, measure name, and record version. A higher record " +
  "version must be specified in order to update the measure value. Specifying record version is supported by the latest SDKs.";
const LOWER_VERSION =
  "The record version 2 is lower than the existing version 200. A higher version is required to update the measure value.";
const WINDOW =
  "The record timestamp is outside the time range [2024-03-05T06:00:00.000Z, 2024-03-05T12:15:00.000Z) of the data ingestion window.";

function facts(overrides: Partial<RejectionFacts>): RejectionFacts {
  return {
    reason: SAME_VERSION,
    existingVersion: 1,
    constantMeasure: true,
    version: 1,
    timeMs: NOW - 60_000,
    nowMs: NOW,
    ...overrides,
  };
}

describe("classifyRejection", () => {
  it.each<[string, Partial<RejectionFacts>, string]>([
    ["same-version clash of an event record", {}, "duplicate"],
    ["same-version clash without ExistingVersion", { existingVersion: undefined }, "duplicate"],
    ["same-version clash of a usage report (values vary)", { constantMeasure: false }, "other"],
    ["same reason but a different stored version", { existingVersion: 3 }, "other"],
    ["lower version", { reason: LOWER_VERSION, existingVersion: 200 }, "other"],
    ["old record", { reason: WINDOW, timeMs: NOW - 7 * 3_600_000 }, "retention"],
    ["future record", { reason: WINDOW, timeMs: NOW + 16 * 60_000 }, "future"],
    [
      "magnetic retention",
      { reason: "The record timestamp is outside the magnetic store retention period of the table." },
      "retention",
    ],
    ["size limit", { reason: "Record size 2100 bytes exceeds the limit of 2048 bytes." }, "other"],
    ["no reason", { reason: "" }, "other"],
  ])("%s", (_, overrides, expected) => {
    expect(classifyRejection(facts(overrides))).toBe(expected);
  });
});
