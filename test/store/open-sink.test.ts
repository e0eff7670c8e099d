import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import { openSink } from "../../src/store/open-sink.js";
import { sampleEvents } from "./sample-events.js";

describe("openSink", () => {
  it("opens a DuckDB sink from duckdb:PATH whose query connection sees the writes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "open-sink-"));
    try {
      const sink = await openSink(`duckdb:${join(dir, "events.duckdb")}`);
      try {
        expect(sink).toBeInstanceOf(DuckDbSink);
        await sink.write("acme", sampleEvents("f", 3));
        const conn = await (sink as DuckDbSink).queryConnection();
        const reader = await conn.runAndReadAll(
          `SELECT count(DISTINCT "user")::INTEGER AS users FROM events`,
        );
        expect(reader.getRowObjectsJS()).toEqual([{ users: 3 }]);
      } finally {
        await sink.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses unknown specs", async () => {
    await expect(openSink("s3:bucket")).rejects.toThrow(InvalidArgumentError);
  });
});
