import { afterAll, beforeAll } from "vitest";
import { postgresDialect } from "../../../src/store/postgres/postgres-dialect.js";
import { PostgresSink } from "../../../src/store/postgres/postgres-sink.js";
import { utcDayStart } from "../../../src/store/postgres/schema.js";
import { type PostgresServer, startPostgres } from "../../support/postgres.js";
import { rollupProperty } from "../../support/rollup-property.js";

let server: PostgresServer;
let sink: PostgresSink | undefined;

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
  async fresh() {
    // One database for every run, emptied in between: creating one per run would dominate the test.
    sink ??= await PostgresSink.open(await server.createDatabase("rollup"));
    await server.query("rollup", "TRUNCATE events, daily_activity");
    const pool = sink.queryPool();
    return {
      sink,
      run: async (query) =>
        (await pool.query<unknown[]>({ text: query.sql, values: [...query.params], rowMode: "array" })).rows,
    };
  },
});
