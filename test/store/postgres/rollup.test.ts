import { afterAll, beforeAll } from "vitest";
import { postgresDialect } from "../../../src/store/postgres/postgres-dialect.js";
import { PostgresSink } from "../../../src/store/postgres/postgres-sink.js";
import { utcDayStart, utcMonthStart } from "../../../src/store/postgres/schema.js";
import { type PostgresServer, startPostgres } from "../../support/postgres.js";
import { rollupProperty } from "../../support/rollup-property.js";

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
