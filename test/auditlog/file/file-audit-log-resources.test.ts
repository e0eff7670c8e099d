import type * as Fs from "node:fs";
import type * as FsPromises from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { appendEvents } from "../../../src/auditlog/file/append-events.js";
import { FileAuditLog } from "../../../src/auditlog/file/file-audit-log.js";
import { EMPTY_CURSOR } from "../../../src/cursor/cursor.js";
import { eventually } from "../../support/eventually.js";
import { eventLine, tempDir } from "./helpers.js";

// Every file handle and directory watcher the audit log opens, until it is closed.
const open = vi.hoisted(() => ({
  handles: new Set<object>(),
  watchers: new Set<object>(),
  writes: 0,
  syncs: 0,
}));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const tracked = (async (...args: Parameters<typeof actual.open>) => {
    const handle = await actual.open(...args);
    open.handles.add(handle);
    const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<unknown>;
    handle.write = ((...a: unknown[]) => {
      open.writes++;
      return write(...a);
    }) as typeof handle.write;
    const sync = handle.sync.bind(handle);
    handle.sync = () => {
      open.syncs++;
      return sync();
    };
    const close = handle.close.bind(handle);
    handle.close = () => {
      open.handles.delete(handle);
      return close();
    };
    return handle;
  }) as typeof actual.open;
  return { ...actual, open: tracked, default: { ...actual, open: tracked } };
});

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof Fs>();
  const tracked = ((...args: Parameters<typeof actual.watch>) => {
    const watcher = actual.watch(...args);
    open.watchers.add(watcher);
    watcher.on("close", () => open.watchers.delete(watcher));
    return watcher;
  }) as typeof actual.watch;
  return { ...actual, watch: tracked, default: { ...actual, watch: tracked } };
});

const HOUR = 3_600_000;
let dir: string;
let cleanup: () => Promise<void>;
let log: FileAuditLog;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await appendEvents(dir, [eventLine("2026-09-01", 1), eventLine("2026-09-02", 2)]);
  log = new FileAuditLog(dir, { pollIntervalMs: HOUR });
  open.handles.clear();
  open.watchers.clear();
  open.writes = 0;
  open.syncs = 0;
});

afterEach(async () => {
  await log.close();
  await cleanup();
});

const nothingOpen = (): boolean => open.handles.size === 0 && open.watchers.size === 0;

describe("FileAuditLog resources", () => {
  it("holds a handle and a watcher while following, and releases both when aborted while waiting", async () => {
    const controller = new AbortController();
    const stream = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
    await stream.next();
    await stream.next();
    expect(open.handles.size).toBe(1);
    expect(open.watchers.size).toBe(1);
    const pending = stream.next();
    controller.abort();
    expect((await pending).done).toBe(true);
    expect(nothingOpen()).toBe(true);
  });

  it("releases them when aborted while the consumer holds an event and never pulls again", async () => {
    const controller = new AbortController();
    const stream = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
    await stream.next();
    expect(open.handles.size).toBe(1);
    controller.abort();
    await eventually(nothingOpen, "every file handle closed");
    expect((await stream.next()).done).toBe(true);
  });

  it("releases them when the consumer stops iterating", async () => {
    for await (const _ of log.streamEvents(EMPTY_CURSOR)) break;
    expect(nothingOpen()).toBe(true);
  });

  it("releases them when a caught-up stream ends or a cursor is refused", async () => {
    const signal = new AbortController().signal;
    for await (const _ of log.streamEvents(EMPTY_CURSOR, { signal, untilCaughtUp: true })) continue;
    expect(nothingOpen()).toBe(true);
    const bad = new Map([["2026-09-01.log", "3"]]);
    await expect(log.streamEvents(bad, { signal })[Symbol.asyncIterator]().next()).rejects.toThrow(
      /start of a line/,
    );
    expect(nothingOpen()).toBe(true);
  });

  it("releases them on close", async () => {
    const stream = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
    await stream.next();
    await stream.next();
    const pending = stream.next();
    await log.close();
    expect((await pending).done).toBe(true);
    expect(nothingOpen()).toBe(true);
  });

  it("appendEvents writes once per batch and file, fsyncs, and closes what it opened", async () => {
    const lines = [1, 2, 3, 4, 5, 6, 7].map((i) => eventLine("2026-09-03", i));
    const result = await appendEvents(dir, lines, { batchLines: 3 });
    expect(result.written).toBe(7);
    expect(open.writes).toBe(3);
    // The file, and the directory because the file was new.
    expect(open.syncs).toBe(2);
    expect(open.handles.size).toBe(0);
  });
});
