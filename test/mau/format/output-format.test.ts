import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import { MAU_COLUMNS, USAGE_COLUMNS } from "../../../src/mau/format/columns.js";
import { formatRows, parseOutputFormat } from "../../../src/mau/format/output-format.js";
import type { MauRow, UsageReportRow } from "../../../src/mau/usage-rows.js";

const rows: MauRow[] = [
  { tenant: "acme", month: "2026-09", user_kind: "human", protocol: null, mau: 3 },
  { tenant: "acme", month: "2026-09", user_kind: "human", protocol: "ssh", mau: 12 },
  { tenant: "globex-eu", month: "2026-09", user_kind: "bot", protocol: "desktop", mau: 0 },
];

describe("table", () => {
  it("aligns columns, numbers to the right, and names the all-protocols row", () => {
    expect(formatRows("table", MAU_COLUMNS, rows)).toBe(
      [
        "tenant     month    user_kind  protocol  mau",
        "---------  -------  ---------  --------  ---",
        "acme       2026-09  human      (all)       3",
        "acme       2026-09  human      ssh        12",
        "globex-eu  2026-09  bot        desktop     0",
        "",
      ].join("\n"),
    );
  });

  it("shows control characters in stored values escaped", () => {
    const text = formatRows("table", MAU_COLUMNS, [{ ...rows[1]!, protocol: "ss\u001b[2Jh" }]);
    expect(text).toContain("ss\\u001b[2Jh");
    expect(text).not.toContain("\u001b");
  });

  it("prints the header alone when there are no rows", () => {
    expect(formatRows("table", MAU_COLUMNS, [])).toBe(
      "tenant  month  user_kind  protocol  mau\n------  -----  ---------  --------  ---\n",
    );
  });
});

describe("json", () => {
  it("is one JSON array of the documented objects", () => {
    const text = formatRows("json", MAU_COLUMNS, rows);
    expect(JSON.parse(text)).toEqual(rows);
    expect(text.split("\n")[1]).toBe(
      '  {"tenant": "acme", "month": "2026-09", "user_kind": "human", "protocol": null, "mau": 3},',
    );
  });

  it("writes 64-bit counts with every digit", () => {
    const report: UsageReportRow = {
      tenant: "acme",
      cluster: "Y2x1c3Rlcg==",
      time: "2026-09-01T00:00:00.000Z",
      users: 9_223_372_036_854_775_807n,
      servers: 1n,
      databases: 0n,
      apps: 0n,
      kube_clusters: 0n,
      desktops: 0n,
      roles: 0n,
      auth_connectors: 0n,
    };
    expect(formatRows("json", USAGE_COLUMNS, [report])).toContain('"users": 9223372036854775807,');
  });

  it("writes an empty array", () => {
    expect(JSON.parse(formatRows("json", MAU_COLUMNS, []))).toEqual([]);
  });
});

describe("csv", () => {
  it("has a header, empty fields for null, CRLF line ends", () => {
    expect(formatRows("csv", MAU_COLUMNS, rows.slice(0, 2))).toBe(
      "tenant,month,user_kind,protocol,mau\r\nacme,2026-09,human,,3\r\nacme,2026-09,human,ssh,12\r\n",
    );
  });

  it("quotes fields with commas, quotes and line breaks", () => {
    const text = formatRows("csv", MAU_COLUMNS, [{ ...rows[0]!, protocol: 'a,"b"\nc' }]);
    expect(text.split("\r\n")[1]).toBe('acme,2026-09,human,"a,""b""\nc",3');
  });
});

describe("parseOutputFormat", () => {
  it.each(["table", "json", "csv"])("accepts %s", (format) => {
    expect(parseOutputFormat(format)).toBe(format);
  });

  it.each(["", "JSON", "yaml", "tsv"])("refuses %j", (format) => {
    expect(() => parseOutputFormat(format)).toThrow(InvalidArgumentError);
  });
});
