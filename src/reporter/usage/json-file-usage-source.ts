import { readFile } from "node:fs/promises";
import { InternalError, InvalidArgumentError } from "../../errors/errors.js";
import { isJsonObject, isLosslessNumber, parseJson, type JsonValue } from "../../events/json.js";
import type { UsageCounts, UsageSource } from "./usage-source.js";

const COUNTS = {
  users: "users",
  servers: "servers",
  databases: "databases",
  apps: "apps",
  kube_clusters: "kubeClusters",
  desktops: "desktops",
  roles: "roles",
  auth_connectors: "authConnectors",
} as const;

/**
 * Counts read from a JSON file that something else (an exporter, a cron job) keeps current. The file holds
 * one object or an array of them:
 *
 *   {"cluster": "acme-prod.teleport.sh", "time": "2026-09-01T00:00:00Z", "users": 120, "servers": 40,
 *    "databases": 3, "apps": 2, "kube_clusters": 1, "desktops": 5, "roles": 9, "auth_connectors": 2}
 *
 * `cluster` is required; `time` (RFC 3339) and any count may be left out (a count then is 0). Counts are
 * non-negative integers, as numbers or decimal strings. Unknown keys are refused, so a misspelt count is
 * not silently reported as 0. The file is read afresh each time.
 */
export class JsonFileUsageSource implements UsageSource {
  constructor(private readonly path: string) {}

  /**
   * @throws InvalidArgumentError when the file's content is not as described
   * @throws InternalError when the file cannot be read
   */
  async read(): Promise<UsageCounts[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      throw new InternalError(`cannot read usage file ${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      return parseUsageCounts(text);
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        throw new InvalidArgumentError(`usage file ${this.path}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }
}

/** Parses the usage file's text. @throws InvalidArgumentError saying what is wrong and where */
export function parseUsageCounts(text: string): UsageCounts[] {
  let json: JsonValue;
  try {
    json = parseJson(text);
  } catch (err) {
    throw new InvalidArgumentError(`not JSON: ${(err as Error).message}`, { cause: err });
  }
  const entries = Array.isArray(json) ? json : [json];
  return entries.map((entry, i) => parseEntry(entry, Array.isArray(json) ? `entry ${i}` : "the object"));
}

function parseEntry(entry: JsonValue, where: string): UsageCounts {
  if (!isJsonObject(entry)) throw new InvalidArgumentError(`${where} is not a JSON object`);
  const counts: UsageCounts = {
    cluster: "",
    users: 0n,
    servers: 0n,
    databases: 0n,
    apps: 0n,
    kubeClusters: 0n,
    desktops: 0n,
    roles: 0n,
    authConnectors: 0n,
  };
  for (const [key, value] of Object.entries(entry)) {
    if (key === "cluster") {
      if (typeof value !== "string" || value === "") {
        throw new InvalidArgumentError(`${where}: "cluster" must be a non-empty string`);
      }
      counts.cluster = value;
    } else if (key === "time") {
      const time = typeof value === "string" ? new Date(value) : undefined;
      if (time === undefined || Number.isNaN(time.getTime())) {
        throw new InvalidArgumentError(`${where}: "time" must be an RFC 3339 time`);
      }
      counts.time = time;
    } else if (Object.hasOwn(COUNTS, key)) {
      counts[COUNTS[key as keyof typeof COUNTS]] = parseCount(value, `${where}: "${key}"`);
    } else {
      const known = ["cluster", "time", ...Object.keys(COUNTS)].join(", ");
      throw new InvalidArgumentError(`${where}: unknown key "${key}" (known: ${known})`);
    }
  }
  if (counts.cluster === "") throw new InvalidArgumentError(`${where}: "cluster" is required`);
  return counts;
}

function parseCount(value: JsonValue, what: string): bigint {
  const digits = isLosslessNumber(value) ? value.toString() : typeof value === "string" ? value : undefined;
  if (digits === undefined || !/^[0-9]{1,20}$/.test(digits) || BigInt(digits) >= 2n ** 64n) {
    throw new InvalidArgumentError(`${what} must be a non-negative integer below 2^64`);
  }
  return BigInt(digits);
}
