import { afterAll } from "vitest";
import { duckDbDialect } from "../../../src/store/duckdb/duckdb-dialect.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { utcDayStart } from "../../../src/store/duckdb/schema.js";
import { rollupProperty } from "../../support/rollup-property.js";

let sink: DuckDbSink | undefined;

afterAll(async () => {
  await sink?.close();
});

rollupProperty("DuckDbSink", {
  dialect: duckDbDialect,
  utcDayStart,
  async fresh() {
    await sink?.close();
    const current = await DuckDbSink.open(":memory:");
    sink = current;
    const connection = await current.queryConnection();
    return {
      sink: current,
      run: async (query) => (await connection.runAndReadAll(query.sql, [...query.params])).getRows(),
    };
  },
});
