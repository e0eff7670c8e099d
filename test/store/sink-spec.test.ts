import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { formatSinkSpec, parseSinkSpec } from "../../src/store/sink-spec.js";

describe("parseSinkSpec", () => {
  it.each([
    ["duckdb:events.duckdb", { kind: "duckdb", path: "events.duckdb" }],
    ["duckdb:data/dir:with:colons.db", { kind: "duckdb", path: "data/dir:with:colons.db" }],
    ["duckdb::memory:", { kind: "duckdb", path: ":memory:" }],
    ["timestream:usage/events", { kind: "timestream", database: "usage", table: "events" }],
    ["timestream:my-db.prod/tbl_1", { kind: "timestream", database: "my-db.prod", table: "tbl_1" }],
    [
      "timestream:usage/events,active_days",
      { kind: "timestream", database: "usage", table: "events", rollupTable: "active_days" },
    ],
    ["postgres://u:p@db:5432/x", { kind: "postgres", url: "postgres://u:p@db:5432/x" }],
    ["postgresql://db/x", { kind: "postgres", url: "postgresql://db/x" }],
  ])("parses %s", (spec, expected) => {
    expect(parseSinkSpec(spec)).toEqual(expected);
  });

  it.each([
    ["duckdb:", /needs a path/],
    ["duckdb", /needs a path/],
    ["timestream:onlydb", /DATABASE\/TABLE/],
    ["timestream:a/b/c", /DATABASE\/TABLE/],
    ["timestream:dbx/ab", /table name/],
    ["timestream:d b/table", /database name/],
    ["timestream:usage/events,", /daily activity table name/],
    ["timestream:usage/events,x", /daily activity table name/],
    ["timestream:usage/events,a_b,c_d", /DATABASE\/TABLE,ROLLUP_TABLE/],
    ["sqlite:x.db", /unknown kind/],
    ["", /unknown kind/],
  ])("rejects %j", (spec, message) => {
    expect(() => parseSinkSpec(spec)).toThrow(InvalidArgumentError);
    expect(() => parseSinkSpec(spec)).toThrow(message);
  });

  it("formats specs back, hiding a postgres password", () => {
    for (const spec of ["duckdb:events.duckdb", "timestream:usage/events", "timestream:usage/events,days"]) {
      expect(formatSinkSpec(parseSinkSpec(spec))).toBe(spec);
    }
    expect(formatSinkSpec(parseSinkSpec("postgres://u:secret@db/x"))).toBe("postgres://u:***@db/x");
  });
});
