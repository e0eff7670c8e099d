import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StreamEvent } from "../../../src/gen/auth/auth.js";
import { formatEvent, parseEvent } from "../../../src/events/codec.js";
import type { Registry } from "../../../src/observability/metrics.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/teleport-events.jsonl", import.meta.url));

export async function fixtureLines(): Promise<string[]> {
  return (await readFile(FIXTURES, "utf8")).split("\n").filter((l) => l.trim() !== "");
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "tenant-events-file-log-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The canonical text of a streamed event, for comparing with input lines. */
export function text(event: StreamEvent): string {
  if (!event.event) throw new Error("stream event without an event");
  return formatEvent(event.event);
}

export function canonical(line: string): string {
  return formatEvent(parseEvent(line));
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/** A Teleport-shaped event on a given UTC day. */
export function eventLine(day: string, i: number): string {
  const time = `${day}T${String(i % 24).padStart(2, "0")}:00:00.${String(i).padStart(3, "0").slice(-3)}Z`;
  return JSON.stringify({ ei: i, event: "user.login", uid: `uid-${i}`, code: "T1000I", time, user: `u${i}` });
}
