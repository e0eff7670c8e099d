import { setMaxListeners } from "node:events";
import { InvalidArgumentError, NotFoundError } from "../../../src/errors/errors.js";
import { LosslessNumber, type JsonObject } from "../../../src/events/json.js";
import type { Clock } from "../../../src/time/clock.js";
import type {
  AttributeValue,
  Item,
  RecordsPage,
  ShardDescription,
  ShardIteratorRequest,
  StreamDescriptionPage,
  StreamRecord,
  StreamsClient,
  TableStream,
} from "../../../src/auditlog/dynamo/streams-client.js";
import {
  ExpiredIteratorError,
  ThrottledError,
  TrimmedDataError,
} from "../../../src/auditlog/dynamo/streams-errors.js";
import { itemFromEvent } from "../../../src/auditlog/dynamo/teleport-item.js";

/**
 * An item as the AWS SDK's deserializer hands it to the adapter: it drops an empty map's member, so
 * `{"M":{}}` on the wire arrives as `{}` (seen against DynamoDB Local); numbers arrive as DynamoDB
 * normalizes them, which the simulator does not imitate.
 */
export function asSdkHandsIt(item: Item): Item {
  return Object.fromEntries(Object.entries(item).map(([key, value]) => [key, sdkValue(value)]));
}

function sdkValue(value: AttributeValue): AttributeValue {
  if ("M" in value) {
    return Object.keys(value.M).length === 0 ? ({} as AttributeValue) : { M: asSdkHandsIt(value.M) };
  }
  if ("L" in value) return { L: value.L.map(sdkValue) };
  return value;
}

export const HOUR = 60 * 60 * 1000;
export const MINUTE = 60 * 1000;

/**
 * Virtual time: sleeping advances it at once and runs the actions scheduled up to the new time, so a
 * day of DynamoDB Streams behaviour plays out in milliseconds, the same way every run.
 */
export class VirtualClock implements Clock {
  private time: number;
  private readonly actions: { at: number; order: number; run: () => void }[] = [];
  private order = 0;
  private sleeps = 0;

  constructor(start = Date.UTC(2026, 8, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (!signal.aborted && ms > 0) this.advance(ms);
    // As in the simulator: let timers run now and then so a runaway loop meets the test timeout.
    if (++this.sleeps % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    else await Promise.resolve();
  }

  /** Rings at `ms` from now unless cancelled; time still moves only when something sleeps. */
  alarm(ms: number, ring: () => void): () => void {
    let cancelled = false;
    this.at(this.time + Math.max(0, ms), () => {
      if (!cancelled) ring();
    });
    return () => {
      cancelled = true;
    };
  }

  /** Runs `run` once the clock reaches `at`. */
  at(at: number, run: () => void): void {
    this.actions.push({ at, order: this.order++, run });
    this.actions.sort((a, b) => a.at - b.at || a.order - b.order);
  }

  advance(ms: number): void {
    const target = this.time + ms;
    for (let next = this.actions[0]; next !== undefined && next.at <= target; next = this.actions[0]) {
      this.actions.shift();
      this.time = Math.max(this.time, next.at);
      next.run();
    }
    this.time = target;
  }
}

interface SimRecord {
  seq: bigint;
  writtenAt: number;
  record: StreamRecord;
  /** The audit event uid, for INSERTs of events. */
  uid?: string;
}

interface SimShard {
  id: string;
  parentId?: string;
  startSeq: bigint;
  endSeq?: bigint;
  closedAt?: number;
  records: SimRecord[];
}

interface SimIterator {
  shardId: string;
  position: number;
  issuedAt: number;
  /** The GetShardIterator call this iterator descends from: one reader, as AWS counts them. */
  reader: number;
}

export type Operation = "DescribeTable" | "DescribeStream" | "GetShardIterator" | "GetRecords";

/** A call's round trip: `fixedMs` plus up to `jitterMs` more, drawn uniformly. */
export interface Latency {
  fixedMs: number;
  jitterMs?: number;
}

/** The DynamoDB Streams limits the simulator enforces when `awsLimits` is on. */
export interface AwsLimits {
  /** GetRecords calls per shard per second, across all readers (AWS: 5). */
  getRecordsPerShardPerSecond: number;
  /** DescribeStream calls per second (AWS: 10). */
  describeStreamPerSecond: number;
  /** Readers (iterator chains) using a shard within the last second (AWS advises at most 2). */
  readersPerShard: number;
}

export const AWS_STREAMS_LIMITS: AwsLimits = {
  getRecordsPerShardPerSecond: 5,
  describeStreamPerSecond: 10,
  readersPerShard: 2,
};

const RATE_WINDOW_MS = 1000;
/** Round trips are not cancelled; every call in flight on the system clock listens on this signal. */
const NEVER = new AbortController().signal;
setMaxListeners(Infinity, NEVER);

export interface SimulatorOptions {
  table?: string;
  streamEnabled?: boolean;
  viewType?: string;
  /** Records kept (DynamoDB Streams: 24 h). */
  retentionMs?: number;
  /** Iterator lifetime (15 minutes). */
  iteratorTtlMs?: number;
  /** Shards per DescribeStream page (AWS: at most 100). */
  describePageSize?: number;
  /** Records per GetRecords page at most, below the caller's limit (AWS: 1000 or 1 MB). */
  recordsPageSize?: number;
  /** Root shards at creation. Default 1. */
  shards?: number;
  /**
   * Round trip per operation (half before the service handles the call, half after). Default none: a
   * call completes at the virtual instant it is made.
   */
  latency?: Partial<Record<Operation, Latency>>;
  /** Jitter source, [0, 1). Default seededRandom(1). */
  random?: () => number;
  /**
   * Enforce AWS's rates (LimitExceededException as ThrottledError): true for AWS_STREAMS_LIMITS. Default
   * off: at zero latency a virtual-time test makes any number of calls at one instant.
   */
  awsLimits?: boolean | AwsLimits;
}

/** Calls the limits refused, by limit. */
export interface LimitsExceeded {
  getRecordsRate: number;
  describeStreamRate: number;
  readers: number;
}

/**
 * A deterministic DynamoDB Streams: shards with parents, splits into one or two children, closes, 24 h
 * trimming, 15-minute iterator expiry, scripted throttling, paged DescribeStream, and optionally a round
 * trip per call and AWS's rate limits. Implements the same StreamsClient as the AWS adapter.
 *
 * `clock` is virtual in tests; a benchmark with real round trips passes the system clock (then the
 * scripting that moves time, VirtualClock's `at` and `advance`, is not there).
 */
export class StreamSimulator<C extends Clock = VirtualClock> implements StreamsClient {
  readonly table: string;
  readonly streamArn: string;
  readonly createdAt: number;
  readonly calls: Record<Operation, number> = {
    DescribeTable: 0,
    DescribeStream: 0,
    GetShardIterator: 0,
    GetRecords: 0,
  };
  /** Calls of each operation under way now, and the most that were at once. */
  readonly inFlight: Record<Operation, number> = {
    DescribeTable: 0,
    DescribeStream: 0,
    GetShardIterator: 0,
    GetRecords: 0,
  };
  readonly peakInFlight: Record<Operation, number> = {
    DescribeTable: 0,
    DescribeStream: 0,
    GetShardIterator: 0,
    GetRecords: 0,
  };
  /** DescribeStream calls that asked for a later page. */
  pagedDescribeCalls = 0;
  readonly limitsExceeded: LimitsExceeded = { getRecordsRate: 0, describeStreamRate: 0, readers: 0 };
  /** May be changed between calls (e.g. a zero-latency pass, then one with round trips). */
  latency: Partial<Record<Operation, Latency>>;
  /** The most readers seen on one shard within a second. */
  peakReadersPerShard = 0;
  streamEnabled: boolean;
  viewType: string;
  private status = "ENABLED";
  private readonly shards = new Map<string, SimShard>();
  private readonly iterators = new Map<string, SimIterator>();
  private readonly throttles: { operation?: Operation; remaining: number }[] = [];
  private seq = 100000000000000000000n;
  private shardCount = 0;
  private iteratorCount = 0;
  private eventCount = 0;
  private served = 0;
  private readonly retentionMs: number;
  private readonly iteratorTtlMs: number;
  private readonly describePageSize: number;
  private readonly recordsPageSize: number;
  private readonly random: () => number;
  /** May be changed between calls, like `latency`. */
  limits: AwsLimits | undefined;
  /** Accepted GetRecords times per shard, and DescribeStream times, within the last second. */
  private readonly getRecordsTimes = new Map<string, number[]>();
  private readonly describeTimes: number[] = [];
  /** Per shard: reader → when it last called GetRecords. */
  private readonly shardReaders = new Map<string, Map<number, number>>();
  private readerCount = 0;

  constructor(
    readonly clock: C,
    options: SimulatorOptions = {},
  ) {
    this.table = options.table ?? "teleport-events";
    this.createdAt = clock.now();
    this.streamArn = `arn:aws:dynamodb:sim:000000000000:table/${this.table}/stream/${new Date(this.createdAt).toISOString()}`;
    this.streamEnabled = options.streamEnabled ?? true;
    this.viewType = options.viewType ?? "NEW_IMAGE";
    this.retentionMs = options.retentionMs ?? 24 * HOUR;
    this.iteratorTtlMs = options.iteratorTtlMs ?? 15 * MINUTE;
    this.describePageSize = options.describePageSize ?? 100;
    this.recordsPageSize = options.recordsPageSize ?? 1000;
    this.latency = options.latency ?? {};
    this.random = options.random ?? seededRandom(1);
    this.limits = options.awsLimits === true ? AWS_STREAMS_LIMITS : options.awsLimits || undefined;
    for (let i = 0; i < (options.shards ?? 1); i++) this.createShard();
  }

  // ---- scripting -------------------------------------------------------------------------------------

  /** Shards that still receive records, in id order. */
  openShards(): string[] {
    return [...this.shards.values()]
      .filter((s) => s.endSeq === undefined)
      .map((s) => s.id)
      .sort();
  }

  allShards(): string[] {
    return [...this.shards.keys()].sort();
  }

  parentOf(shardId: string): string | undefined {
    return this.shards.get(shardId)?.parentId;
  }

  /** Writes a Teleport audit event (INSERT) to a shard (default: the first open one); returns its uid. */
  writeEvent(shardId?: string, fields: JsonObject = {}): string {
    const n = this.eventCount++;
    const uid = `uid-${n}`;
    const event: JsonObject = {
      event: "user.login",
      uid,
      code: "T1000I",
      time: new Date(this.clock.now()).toISOString(),
      ei: new LosslessNumber("0"),
      cluster_name: "sim.example.com",
      user: `user-${n % 7}`,
      success: true,
      ...fields,
    };
    this.append(shardId, "INSERT", itemFromEvent(event, { newSessionId: () => `session-${n}` }), uid);
    return uid;
  }

  /** Writes a record that is not an event: MODIFY, REMOVE (TTL) or an INSERT of a chunk item. */
  writeNonEvent(kind: "MODIFY" | "REMOVE" | "CHUNK", shardId?: string): void {
    const n = this.eventCount++;
    const item: Item = {
      SessionID: { S: kind === "CHUNK" ? `CHUNK#${n}` : `session-${n}` },
      EventIndex: { N: "0" },
    };
    this.append(shardId, kind === "CHUNK" ? "INSERT" : kind, item);
  }

  /** Closes a shard; with children > 0 it is split (2) or rolled over (1) into new shards. */
  split(shardId: string, children: number): string[] {
    const shard = this.requireOpen(shardId);
    shard.endSeq = shard.records.at(-1)?.seq ?? shard.startSeq;
    shard.closedAt = this.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < children; i++) ids.push(this.createShard(shardId));
    return ids;
  }

  /** The next `count` calls (of `operation`, or of any operation) are throttled. */
  throttle(count: number, operation?: Operation): void {
    this.throttles.push(operation === undefined ? { remaining: count } : { operation, remaining: count });
  }

  disableStream(): void {
    this.streamEnabled = false;
    this.status = "DISABLED";
    for (const id of this.openShards()) this.split(id, 0);
  }

  /** uid → the shard and sequence number it was written with (for order checks). */
  eventLocations(): Map<string, { shard: string; seq: bigint }> {
    const map = new Map<string, { shard: string; seq: bigint }>();
    for (const shard of this.shards.values()) {
      for (const r of shard.records) if (r.uid !== undefined) map.set(r.uid, { shard: shard.id, seq: r.seq });
    }
    return map;
  }

  /** uids of the events still retained, by shard. */
  retainedEvents(): string[] {
    this.expire();
    const uids: string[] = [];
    for (const shard of this.shards.values()) {
      for (const r of shard.records.slice(this.trimmedCount(shard)))
        if (r.uid !== undefined) uids.push(r.uid);
    }
    return uids;
  }

  // ---- StreamsClient ---------------------------------------------------------------------------------

  describeTableStream(table: string): Promise<TableStream> {
    return this.serve("DescribeTable", () => {
      if (table !== this.table) throw new NotFoundError(`table ${table} not found`);
      const stream: TableStream = { table, streamEnabled: this.streamEnabled, streamArn: this.streamArn };
      if (this.streamEnabled) stream.viewType = this.viewType;
      return stream;
    });
  }

  describeStream(streamArn: string, exclusiveStartShardId?: string): Promise<StreamDescriptionPage> {
    return this.serve("DescribeStream", () => {
      if (streamArn !== this.streamArn) throw new NotFoundError(`stream ${streamArn} not found`);
      if (this.limits && !this.withinRate(this.describeTimes, this.limits.describeStreamPerSecond)) {
        this.limitsExceeded.describeStreamRate++;
        throw new ThrottledError("DescribeStream rate exceeded (LimitExceededException)");
      }
      if (exclusiveStartShardId !== undefined) this.pagedDescribeCalls++;
      this.expire();
      const ids = this.allShards().filter(
        (id) => exclusiveStartShardId === undefined || id > exclusiveStartShardId,
      );
      const pageIds = ids.slice(0, this.describePageSize);
      const page: StreamDescriptionPage = {
        status: this.status,
        createdAt: this.createdAt,
        shards: pageIds.map((id) => this.describeShard(this.shards.get(id) as SimShard)),
      };
      const last = pageIds.at(-1);
      if (ids.length > pageIds.length && last !== undefined) page.lastEvaluatedShardId = last;
      return page;
    });
  }

  getShardIterator(request: ShardIteratorRequest): Promise<string> {
    return this.serve("GetShardIterator", () => {
      this.expire();
      const shard = this.shards.get(request.shardId);
      if (!shard || request.streamArn !== this.streamArn) {
        throw new NotFoundError(`shard ${request.shardId} not found in the stream`);
      }
      const trimmed = this.trimmedCount(shard);
      const lastTrimmed = trimmed > 0 ? shard.records[trimmed - 1]?.seq : undefined;
      let position: number;
      if (request.type === "TRIM_HORIZON") position = trimmed;
      else if (request.type === "LATEST") position = shard.records.length;
      else {
        const text = request.sequenceNumber ?? "";
        if (!/^[0-9]{21,40}$/.test(text)) throw new InvalidArgumentError("Invalid SequenceNumber");
        const seq = BigInt(text);
        if (request.type === "AT_SEQUENCE_NUMBER") {
          if (seq < shard.startSeq || (shard.endSeq !== undefined && seq > shard.endSeq)) {
            throw new InvalidArgumentError("Invalid SequenceNumber for this shard");
          }
          if (lastTrimmed !== undefined && seq <= lastTrimmed) throw new TrimmedDataError("trimmed");
          position = shard.records.findIndex((r) => r.seq >= seq);
          if (position < 0) position = shard.records.length;
        } else {
          const index = shard.records.findIndex((r) => r.seq === seq);
          if (index < 0) throw new InvalidArgumentError("Invalid SequenceNumber for this shard");
          if (index < trimmed) throw new TrimmedDataError("trimmed");
          position = index + 1;
        }
      }
      return this.issue(shard.id, position, ++this.readerCount);
    });
  }

  getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    return this.serve("GetRecords", () => {
      this.expire();
      const state = this.iterators.get(iterator);
      if (!state) throw new InvalidArgumentError("Invalid ShardIterator");
      if (this.clock.now() - state.issuedAt > this.iteratorTtlMs) throw new ExpiredIteratorError("expired");
      const shard = this.shards.get(state.shardId);
      if (!shard) throw new NotFoundError(`shard ${state.shardId} not found in the stream`);
      if (this.limits) this.enforceShardLimits(shard.id, state.reader, this.limits);
      if (state.position < this.trimmedCount(shard)) throw new TrimmedDataError("trimmed");
      const take = Math.min(limit, this.recordsPageSize);
      const slice = shard.records.slice(state.position, state.position + take);
      const position = state.position + slice.length;
      const page: RecordsPage = { records: slice.map((r) => r.record) };
      const finished = shard.endSeq !== undefined && position >= shard.records.length;
      if (!finished) page.nextIterator = this.issue(shard.id, position, state.reader);
      return page;
    });
  }

  close(): void {}

  // ---- internals -------------------------------------------------------------------------------------

  private createShard(parentId?: string): string {
    const n = this.shardCount++;
    const id = `shardId-${String(this.clock.now()).padStart(20, "0")}-${n.toString(16).padStart(8, "0")}`;
    const shard: SimShard = { id, startSeq: this.seq + 1n, records: [] };
    if (parentId !== undefined) shard.parentId = parentId;
    this.shards.set(id, shard);
    return id;
  }

  private append(shardId: string | undefined, eventName: string, image: Item, uid?: string): void {
    const id = shardId ?? this.openShards()[0];
    if (id === undefined) throw new Error("no open shard to write to");
    const shard = this.requireOpen(id);
    const seq = ++this.seq;
    const key: Item = {};
    if (image["SessionID"]) key["SessionID"] = image["SessionID"];
    if (image["EventIndex"]) key["EventIndex"] = image["EventIndex"];
    const record: StreamRecord = {
      eventName,
      sequenceNumber: seq.toString().padStart(21, "0"),
      approximateCreationTime: Math.floor(this.clock.now() / 1000) * 1000,
      keys: key,
    };
    if (eventName !== "REMOVE") record.newImage = asSdkHandsIt(image);
    const entry: SimRecord = { seq, writtenAt: this.clock.now(), record };
    if (uid !== undefined) entry.uid = uid;
    shard.records.push(entry);
  }

  private requireOpen(shardId: string): SimShard {
    const shard = this.shards.get(shardId);
    if (!shard) throw new Error(`no shard ${shardId}`);
    if (shard.endSeq !== undefined) throw new Error(`shard ${shardId} is closed`);
    return shard;
  }

  private trimmedCount(shard: SimShard): number {
    const horizon = this.clock.now() - this.retentionMs;
    let n = 0;
    while (n < shard.records.length && (shard.records[n] as SimRecord).writtenAt < horizon) n++;
    return n;
  }

  /** A closed shard leaves the stream once everything in it has aged out. */
  private expire(): void {
    const horizon = this.clock.now() - this.retentionMs;
    for (const shard of [...this.shards.values()]) {
      if (shard.closedAt !== undefined && shard.closedAt < horizon) this.shards.delete(shard.id);
    }
  }

  private describeShard(shard: SimShard): ShardDescription {
    const description: ShardDescription = {
      shardId: shard.id,
      startingSequenceNumber: shard.startSeq.toString().padStart(21, "0"),
    };
    if (shard.parentId !== undefined) description.parentShardId = shard.parentId;
    if (shard.endSeq !== undefined)
      description.endingSequenceNumber = shard.endSeq.toString().padStart(21, "0");
    return description;
  }

  private issue(shardId: string, position: number, reader: number): string {
    const token = `iterator-${this.iteratorCount++}`;
    this.iterators.set(token, { shardId, position, issuedAt: this.clock.now(), reader });
    return token;
  }

  /** Records a call at now in `times` unless `perSecond` calls were accepted within the last second. */
  private withinRate(times: number[], perSecond: number): boolean {
    const now = this.clock.now();
    while (times.length > 0 && (times[0] as number) <= now - RATE_WINDOW_MS) times.shift();
    if (times.length >= perSecond) return false;
    times.push(now);
    return true;
  }

  private enforceShardLimits(shardId: string, reader: number, limits: AwsLimits): void {
    const now = this.clock.now();
    let readers = this.shardReaders.get(shardId);
    if (!readers) this.shardReaders.set(shardId, (readers = new Map<number, number>()));
    for (const [id, at] of readers) if (at <= now - RATE_WINDOW_MS) readers.delete(id);
    if (!readers.has(reader) && readers.size >= limits.readersPerShard) {
      this.limitsExceeded.readers++;
      throw new ThrottledError(
        `shard ${shardId} already has ${readers.size} readers (LimitExceededException)`,
      );
    }
    let times = this.getRecordsTimes.get(shardId);
    if (!times) this.getRecordsTimes.set(shardId, (times = []));
    if (!this.withinRate(times, limits.getRecordsPerShardPerSecond)) {
      this.limitsExceeded.getRecordsRate++;
      throw new ThrottledError(`GetRecords rate exceeded on shard ${shardId} (LimitExceededException)`);
    }
    readers.set(reader, now);
    this.peakReadersPerShard = Math.max(this.peakReadersPerShard, readers.size);
  }

  private async serve<T>(operation: Operation, handle: () => T): Promise<T> {
    this.peakInFlight[operation] = Math.max(this.peakInFlight[operation], ++this.inFlight[operation]);
    try {
      return await this.roundTrip(operation, handle);
    } finally {
      this.inFlight[operation]--;
    }
  }

  private async roundTrip<T>(operation: Operation, handle: () => T): Promise<T> {
    const latency = this.latency[operation];
    const roundTrip = latency === undefined ? 0 : latency.fixedMs + (latency.jitterMs ?? 0) * this.random();
    if (roundTrip > 0) await this.clock.sleep(roundTrip / 2, NEVER);
    // Let timers run now and then, so that a reader stuck in a loop fails on the test timeout, not hangs.
    else if (++this.served % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    else await Promise.resolve();
    this.calls[operation]++;
    const throttle = this.throttles.find((t) => t.remaining > 0 && (t.operation ?? operation) === operation);
    try {
      if (throttle) {
        throttle.remaining--;
        throw new ThrottledError(`${operation} was throttled (LimitExceededException)`);
      }
      return handle();
    } finally {
      if (roundTrip > 0) await this.clock.sleep(roundTrip / 2, NEVER);
    }
  }
}

/** A seeded [0, 1) generator (mulberry32), for jitter that is the same every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
