import type { Clock } from "../../time/clock.js";
import { shardInfo, type ShardInfo } from "./shard-graph.js";
import type { StreamsClient, TableStream } from "./streams-client.js";
import { unlessAborted } from "./throttled-call.js";

/** Every page of one DescribeStream listing of a table's stream. */
export interface StreamListing {
  readonly streamArn: string;
  readonly shards: readonly ShardInfo[];
  /** ENABLING, ENABLED, DISABLING or DISABLED. */
  readonly status: string | undefined;
  /** When the stream was created (ms since the epoch), when the service says. */
  readonly createdAt: number | undefined;
  /** When (clock ms) its first page was asked for: it shows every shard the stream had then. */
  readonly startedAt: number;
}

export interface TableListingOptions {
  table: string;
  client: StreamsClient;
  clock: Clock;
  /** Runs a request for the log (retrying throttled ones) until it settles or the log closes. */
  call: <T>(operation: string, request: () => Promise<T>) => Promise<T>;
}

/**
 * DescribeTable and the paged DescribeStream of one table, shared by every stream on it, as AWS allows
 * 10 DescribeStream calls a second per account: one call of each in flight at a time, and a listing that
 * meets a stream's need (recent enough, or showing the shard it saw end as closed) is handed out again
 * rather than listed anew, so any number of streams cost about the listing calls of one.
 */
export class TableListing {
  private describing: Promise<TableStream> | undefined;
  private latest: StreamListing | undefined;
  private listing: { streamArn: string; promise: Promise<StreamListing> } | undefined;

  constructor(private readonly options: TableListingOptions) {}

  /** DescribeTable, joining a call already in flight. @throws Aborted when `signal` aborts first */
  describeTable(signal: AbortSignal): Promise<TableStream> {
    if (this.describing === undefined) {
      const { client, table } = this.options;
      const describing = this.options.call("DescribeTable", () => client.describeTableStream(table));
      this.describing = describing;
      const clear = (): void => {
        if (this.describing === describing) this.describing = undefined;
      };
      describing.then(clear, clear);
    }
    return unlessAborted(this.describing, signal);
  }

  /**
   * A listing of `streamArn` that `accept` takes: the latest one if it does, else the one in flight if it
   * does, else a new one, whatever it shows (a stream waits for at most one listing it did not ask for).
   * @throws Aborted when `signal` aborts first
   */
  async get(
    streamArn: string,
    accept: (listing: StreamListing) => boolean,
    signal: AbortSignal,
  ): Promise<StreamListing> {
    const latest = this.latest;
    if (latest?.streamArn === streamArn && accept(latest)) return latest;
    const inFlight = this.listing;
    if (inFlight?.streamArn === streamArn) {
      const joined = await unlessAborted(inFlight.promise, signal);
      if (accept(joined)) return joined;
    }
    return unlessAborted(this.refresh(streamArn), signal);
  }

  /** A new listing, or the one in flight (begun after any a caller has already judged). */
  private refresh(streamArn: string): Promise<StreamListing> {
    const inFlight = this.listing;
    if (inFlight?.streamArn === streamArn) return inFlight.promise;
    // Cleared before anyone awaiting it resumes, so that a caller who finds it wanting starts anew.
    const clear = (): void => {
      if (this.listing?.promise === promise) this.listing = undefined;
    };
    const promise: Promise<StreamListing> = this.list(streamArn).then(
      (listing) => {
        clear();
        if (this.latest === undefined || listing.startedAt >= this.latest.startedAt) this.latest = listing;
        return listing;
      },
      (err: unknown) => {
        clear();
        throw err;
      },
    );
    const entry = { streamArn, promise };
    this.listing = entry;
    return entry.promise;
  }

  private async list(streamArn: string): Promise<StreamListing> {
    const { client, clock } = this.options;
    const startedAt = clock.now();
    const shards: ShardInfo[] = [];
    let status: string | undefined;
    let createdAt: number | undefined;
    let after: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const start = after;
      const page = await this.options.call("DescribeStream", () => client.describeStream(streamArn, start));
      for (const shard of page.shards) shards.push(shardInfo(shard));
      status = page.status;
      if (page.createdAt !== undefined) createdAt = page.createdAt;
      after = page.lastEvaluatedShardId;
      if (after === undefined || seen.has(after)) return { streamArn, shards, status, createdAt, startedAt };
      seen.add(after);
    }
  }
}
