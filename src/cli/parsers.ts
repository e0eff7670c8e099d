import { InvalidArgumentError as CommanderInvalidArgument } from "commander";
import type { AuditLogSpec } from "../auditlog/open-audit-log.js";

/**
 * Option value parsers for commander. They throw commander's InvalidArgumentError, which commander turns
 * into "error: option '--x <v>' argument 'y' is invalid. <reason>" and the CLI into exit code 2.
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms", "5s", "1m", "2h", "1m30s" or a bare number of milliseconds → milliseconds. */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new CommanderInvalidArgument('expected a duration such as "250ms", "5s", "1m" or "1h".');
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] as string] ?? 0), 0));
}

/** A duration in ms the way `parseDuration` reads it and help shows it: 400ms, 5s, 1m30s, 1h. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms % 1000 !== 0) return `${ms}ms`;
  let rest = ms / 1000;
  let text = "";
  for (const [unit, size] of [
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new CommanderInvalidArgument("expected a positive whole number.");
  }
  return Number(value);
}

/** "file:DIR" or "dynamodb:TABLE". */
export function parseAuditLogSpec(value: string): AuditLogSpec {
  const colon = value.indexOf(":");
  const scheme = colon < 0 ? "" : value.slice(0, colon);
  const rest = colon < 0 ? "" : value.slice(colon + 1);
  if (scheme === "file" && rest !== "") return { kind: "file", dir: rest };
  if (scheme === "dynamodb" && /^[A-Za-z0-9_.-]{3,255}$/.test(rest)) return { kind: "dynamodb", table: rest };
  if (scheme === "dynamodb") {
    throw new CommanderInvalidArgument("a DynamoDB table name is 3-255 characters of A-Z a-z 0-9 _ . -");
  }
  throw new CommanderInvalidArgument('expected "file:DIR" or "dynamodb:TABLE".');
}
