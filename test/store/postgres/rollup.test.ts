import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresDialect } from "../../../src/store/postgres/postgres-dialect.js";
import { PostgresSink } from "../../../src/store/postgres/postgres-sink.js";
import { utcDayStart, utcMonthStart } from "../../../src/store/postgres/schema.js";
import { type PostgresServer, startPostgres } from "../../support/postgres.js";
import { rollupProperty } from "../../support/rollup-property.js";
import { sampleEvent, timestamp } from "../sample-events.js";

let server: PostgresServer;
let sink: PostgresSink | undefined;
let url: string | undefined;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await sink?.close();
  await server?.stop();
});

rollupProperty("PostgresSink", {
  dialect: postgresDialect,
  utcDayStart,
  utcMonthStart,
  async fresh() {
    // One database for every run, emptied in between (creating one per run would dominate the test),
    // and a new sink on it: a sink remembers the rollup rows it committed, which must stay.
    url ??= await server.createDatabase("rollup");
    await sink?.close();
    sink = await PostgresSink.open(url);
    await server.query("rollup", "TRUNCATE events, daily_activity, monthly_activity");
    const pool = sink.queryPool();
    return {
      sink,
      run: async (query) =>
        (await pool.query<unknown[]>({ text: query.sql, values: [...query.params], rowMode: "array" })).rows,
    };
  },
});

describe("PostgresSink: the rollup keys it remembers", () => {
  it("remembers none from a batch with an id stored already, whose other content was not stored", async () => {
    const url = await server.createDatabase("rollup_memory");
    const memory = await PostgresSink.open(url);
    try {
      const at = timestamp("2024-03-05T10:00:00.000Z");
      await memory.write("acme", [sampleEvent({ id: "e1", time: at, user: "alice" })]);
      // e1 again, as bob: refused by the key, so bob's day is not stored by this batch.
      await memory.write("acme", [
        sampleEvent({ id: "e1", time: at, user: "bob" }),
        sampleEvent({ id: "e2", time: at, user: "carol" }),
      ]);
      // Bob's first stored event, in a batch of users whose days are all known otherwise.
      await memory.write("acme", [
        sampleEvent({ id: "e3", time: at, user: "bob" }),
        sampleEvent({ id: "e4", time: at, user: "carol" }),
      ]);
      const rows = await server.query("rollup_memory", `SELECT "user" FROM daily_activity ORDER BY "user"`);
      expect(rows.rows).toEqual([{ user: "alice" }, { user: "bob" }, { user: "carol" }]);
      const monthly = await server.query(
        "rollup_memory",
        `SELECT "user" FROM monthly_activity ORDER BY "user"`,
      );
      expect(monthly.rows).toEqual(rows.rows);
    } finally {
      await memory.close();
    }
  });
});
