import { describe, expect, it } from "vitest";
import {
  CHECKPOINT_EVENTS_PER_SHARD,
  CHECKPOINT_INTERVAL_MS,
  CheckpointPolicy,
} from "../../../src/auditlog/dynamo/checkpoint-policy.js";

const START = 1_000_000;

/** A policy after `events` delivered events, asked at `elapsed` ms after the start. */
function dueAfter(events: number, entries: number, elapsed: number): boolean {
  const policy = new CheckpointPolicy(START);
  for (let i = 0; i < events; i++) policy.delivered();
  return policy.dueAtPageEnd(entries, START + elapsed);
}

describe("CheckpointPolicy", () => {
  it.each([
    // events, cursor entries, ms since the start, due
    [0, 1, 0, false],
    [CHECKPOINT_EVENTS_PER_SHARD - 1, 1, 0, false],
    [CHECKPOINT_EVENTS_PER_SHARD, 1, 0, true],
    [CHECKPOINT_EVENTS_PER_SHARD, 0, 0, true],
    [CHECKPOINT_EVENTS_PER_SHARD * 256 - 1, 256, 0, false],
    [CHECKPOINT_EVENTS_PER_SHARD * 256, 256, 0, true],
    [0, 256, CHECKPOINT_INTERVAL_MS - 1, false],
    [0, 256, CHECKPOINT_INTERVAL_MS, true],
    [1, 256, CHECKPOINT_INTERVAL_MS + 5000, true],
  ])("%i events, %i entries, %i ms: due %s", (events, entries, elapsed, due) => {
    expect(dueAfter(events, entries, elapsed)).toBe(due);
  });

  it("owes nothing for a position already sent, and counts again from each checkpoint", () => {
    const policy = new CheckpointPolicy(START);
    expect(policy.moved(0)).toBe(false);
    expect(policy.moved(3)).toBe(true);
    for (let i = 0; i < CHECKPOINT_EVENTS_PER_SHARD; i++) policy.delivered();
    policy.sent(3, START + 10);
    expect(policy.moved(3)).toBe(false);
    expect(policy.moved(4)).toBe(true);
    expect(policy.dueAtPageEnd(1, START + 10)).toBe(false);
    expect(policy.dueAtPageEnd(1, START + 10 + CHECKPOINT_INTERVAL_MS - 1)).toBe(false);
    expect(policy.dueAtPageEnd(1, START + 10 + CHECKPOINT_INTERVAL_MS)).toBe(true);
  });
});
