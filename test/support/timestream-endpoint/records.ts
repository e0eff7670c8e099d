import { validation } from "./protocol.js";

/**
 * WriteRecords input, merged and checked against Timestream's documented rules. Malformed requests fail
 * whole (ValidationException, as Timestream does); data a well-formed record carries that Timestream
 * refuses (size, time window, versions, value types) becomes a per-record rejection elsewhere.
 */

export const MAX_RECORDS_PER_REQUEST = 100;
/** Timestream's limit on one record (dimensions, measure name and values). */
export const MAX_RECORD_BYTES = 2048;
/** Records may be at most this far in the future. */
export const MAX_FUTURE_MS = 15 * 60 * 1000;

export type MeasureType = "DOUBLE" | "BIGINT" | "VARCHAR" | "BOOLEAN" | "TIMESTAMP";
const MEASURE_TYPES: ReadonlySet<string> = new Set(["DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "TIMESTAMP"]);

const NANOS_PER_UNIT: Record<string, bigint> = {
  NANOSECONDS: 1n,
  MICROSECONDS: 1_000n,
  MILLISECONDS: 1_000_000n,
  SECONDS: 1_000_000_000n,
};

const RESERVED_COLUMNS: ReadonlySet<string> = new Set(["measure_name", "measure_value", "time"]);

export interface Measure {
  /** The column: `measure_value::<type>` for a single-measure record, the value's name for MULTI. */
  column: string;
  type: MeasureType;
  value: string;
}

export interface WriteRecord {
  /** Sorted by name. */
  dimensions: [string, string][];
  measureName: string;
  timeNanos: bigint;
  timeUnitNanos: bigint;
  version: bigint;
  measures: Measure[];
  bytes: number;
}

interface WireDimension {
  Name?: unknown;
  Value?: unknown;
  DimensionValueType?: unknown;
}

interface WireMeasureValue {
  Name?: unknown;
  Value?: unknown;
  Type?: unknown;
}

interface WireRecord {
  Dimensions?: WireDimension[];
  MeasureName?: unknown;
  MeasureValue?: unknown;
  MeasureValueType?: unknown;
  MeasureValues?: WireMeasureValue[];
  Time?: unknown;
  TimeUnit?: unknown;
  Version?: unknown;
}

/** Merges CommonAttributes into each record and validates the request's structure. */
export function parseWriteRecords(common: unknown, records: unknown): WriteRecord[] {
  if (!Array.isArray(records) || records.length < 1 || records.length > MAX_RECORDS_PER_REQUEST) {
    throw validation(`Records must contain between 1 and ${MAX_RECORDS_PER_REQUEST} records`);
  }
  const shared = asObject(common ?? {}, "CommonAttributes") as WireRecord;
  return records.map((record, index) =>
    parseRecord(shared, asObject(record, `Records[${index}]`) as WireRecord, index),
  );
}

function parseRecord(common: WireRecord, own: WireRecord, index: number): WriteRecord {
  const where = `Records[${index}]`;
  const dimensions = new Map<string, string>();
  for (const dimension of [...asArray(common.Dimensions), ...asArray(own.Dimensions)] as WireDimension[]) {
    const name = requireString(dimension.Name, `${where}: dimension name`);
    const value = requireString(dimension.Value, `${where}: dimension ${name} value`);
    if (value.length === 0) throw validation(`${where}: dimension ${name} must have a non-empty value`);
    if (dimension.DimensionValueType !== undefined && dimension.DimensionValueType !== "VARCHAR") {
      throw validation(`${where}: dimension ${name} has an invalid DimensionValueType`);
    }
    checkColumnName(name, where);
    if (dimensions.has(name)) throw validation(`${where}: duplicate dimension ${name}`);
    dimensions.set(name, value);
  }
  const measureName = requireString(own.MeasureName ?? common.MeasureName, `${where}: MeasureName`);
  if (measureName.length === 0) throw validation(`${where}: MeasureName must not be empty`);
  const unit = own.TimeUnit ?? common.TimeUnit ?? "MILLISECONDS";
  const timeUnitNanos = typeof unit === "string" ? NANOS_PER_UNIT[unit] : undefined;
  if (timeUnitNanos === undefined) throw validation(`${where}: invalid TimeUnit`);
  const time = requireString(own.Time ?? common.Time, `${where}: Time`);
  if (!/^\d{1,19}$/.test(time)) throw validation(`${where}: Time must be a non-negative integer`);
  const versionRaw = own.Version ?? common.Version ?? 1;
  if (typeof versionRaw !== "number" || !Number.isSafeInteger(versionRaw) || versionRaw < 1) {
    throw validation(`${where}: Version must be an integer of at least 1`);
  }
  const type = own.MeasureValueType ?? common.MeasureValueType;
  const measures: Measure[] = [];
  if (type === "MULTI") {
    const values = asArray(own.MeasureValues ?? common.MeasureValues) as WireMeasureValue[];
    if (values.length === 0) throw validation(`${where}: a MULTI record needs MeasureValues`);
    for (const v of values) {
      const name = requireString(v.Name, `${where}: measure value name`);
      checkColumnName(name, where);
      if (dimensions.has(name) || measures.some((m) => m.column === name)) {
        throw validation(`${where}: column ${name} appears twice`);
      }
      measures.push({
        column: name,
        type: measureType(v.Type, where),
        value: requireString(v.Value, `${where}: ${name}`),
      });
    }
  } else {
    const single = measureType(type, where);
    const value = requireString(own.MeasureValue ?? common.MeasureValue, `${where}: MeasureValue`);
    measures.push({ column: `measure_value::${single.toLowerCase()}`, type: single, value });
  }
  const sorted = [...dimensions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    dimensions: sorted,
    measureName,
    timeNanos: BigInt(time) * timeUnitNanos,
    timeUnitNanos,
    version: BigInt(versionRaw),
    measures,
    bytes: recordBytes(sorted, measureName, measures),
  };
}

/** Bytes a record counts against the 2 KB limit: names and values of dimensions and measures, plus time. */
export function recordBytes(
  dimensions: [string, string][],
  measureName: string,
  measures: Measure[],
): number {
  let bytes = Buffer.byteLength(measureName) + 8;
  for (const [name, value] of dimensions) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  for (const m of measures) bytes += Buffer.byteLength(m.column) + Buffer.byteLength(m.value);
  return bytes;
}

/** Identity of a stored record: Timestream upserts on (dimensions, time, measure name). */
export function recordKey(record: WriteRecord): string {
  return JSON.stringify([record.dimensions, record.timeNanos.toString(), record.measureName]);
}

/** Why a value cannot be stored as its declared type, or undefined if it can. */
export function measureValueProblem(measure: Measure): string | undefined {
  const { type, value } = measure;
  switch (type) {
    case "BIGINT":
      if (!/^-?\d{1,19}$/.test(value) || BigInt(value) > 2n ** 63n - 1n || BigInt(value) < -(2n ** 63n)) {
        return `Invalid value ${JSON.stringify(value)} for measure ${measure.column} of type BIGINT.`;
      }
      return undefined;
    case "DOUBLE":
      return value.trim() === "" || !Number.isFinite(Number(value))
        ? `Invalid value ${JSON.stringify(value)} for measure ${measure.column} of type DOUBLE.`
        : undefined;
    case "BOOLEAN":
      return /^(true|false)$/i.test(value)
        ? undefined
        : `Invalid value ${JSON.stringify(value)} for measure ${measure.column} of type BOOLEAN.`;
    case "TIMESTAMP":
      return /^\d{1,19}$/.test(value)
        ? undefined
        : `Invalid value ${JSON.stringify(value)} for measure ${measure.column} of type TIMESTAMP.`;
    case "VARCHAR":
      return undefined;
  }
}

function measureType(type: unknown, where: string): MeasureType {
  if (typeof type !== "string" || !MEASURE_TYPES.has(type))
    throw validation(`${where}: invalid MeasureValueType`);
  return type as MeasureType;
}

function checkColumnName(name: string, where: string): void {
  if (
    name.length === 0 ||
    name.length > 60 ||
    RESERVED_COLUMNS.has(name) ||
    name.startsWith("ts_") ||
    name.startsWith("measure_value") ||
    name.includes(":")
  ) {
    throw validation(`${where}: ${JSON.stringify(name)} is not a valid column name`);
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw validation(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw validation("expected a list");
  return value.map((item) => asObject(item, "list item"));
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string") throw validation(`${what} is required`);
  return value;
}
