import { InvalidArgumentError } from "../errors/errors.js";
import { Event } from "../gen/tenants/tenants.js";

export interface BatchLimits {
  /** Most events in one batch. */
  maxEvents: number;
  /** A batch is closed before an event would take its request past this many encoded bytes. */
  maxBytes: number;
  /**
   * The most encoded bytes one request may have (the server's message size limit). An event bigger than
   * `maxBytes` goes alone in its own batch so it never stalls the others; one that alone would exceed
   * this limit can never be sent and is refused.
   */
  hardLimitBytes: number;
}

/** Events to submit together, and the cursor to save once the central side acknowledges them. */
export interface Batch {
  events: Event[];
  /** Encoded size of the SubmitEventsRequest carrying exactly these events. */
  bytes: number;
  /**
   * The last cursor consumed before the batch closed, filtered-out events included: the batch's last
   * event's, or an earlier checkpoint's when that event carried none (resuming there sends again events
   * already stored, which the central side stores once).
   */
  cursor: string;
}

/**
 * Groups activity events into batches by count and encoded size, tracking the stream position each
 * batch covers. Pure: the reporter decides when time is up (`flush`).
 */
export class Batcher {
  readonly #limits: BatchLimits;
  #events: Event[] = [];
  #bytes = 0;
  #position: string;
  #openedAt: number | undefined;

  /** @param position the cursor the stream starts from */
  constructor(limits: BatchLimits, position: string) {
    this.#limits = limits;
    this.#position = position;
  }

  /** The last non-empty cursor consumed. */
  get position(): string {
    return this.#position;
  }

  /** How many events wait in the open batch. */
  get pendingEvents(): number {
    return this.#events.length;
  }

  /** When (`now` as given to `add`) the open batch received its first event; undefined when empty. */
  get openedAt(): number | undefined {
    return this.#openedAt;
  }

  /**
   * Adds an event consumed at `cursor` ("" when it is not a checkpoint) and returns the batches this closed (none, one or two).
   * @throws InvalidArgumentError when the event alone exceeds the hard limit; nothing changes then, and
   *   the caller may `skip(cursor)` past it.
   */
  add(event: Event, cursor: string, now: number): Batch[] {
    const size = entryBytes(event);
    if (size > this.#limits.hardLimitBytes) {
      throw new InvalidArgumentError(
        `event ${truncate(event.id)} encodes to ${size} bytes, over the ${this.#limits.hardLimitBytes}-byte ` +
          `message limit: it cannot be submitted`,
      );
    }
    const closed: Batch[] = [];
    if (this.#events.length > 0 && this.#bytes + size > this.#limits.maxBytes) closed.push(this.#close());
    this.#advance(cursor);
    this.#events.push(event);
    this.#bytes += size;
    this.#openedAt ??= now;
    if (this.#events.length >= this.#limits.maxEvents || this.#bytes >= this.#limits.maxBytes) {
      closed.push(this.#close());
    }
    return closed;
  }

  /** Records a consumed stream event that produced no activity ("" when it is not a checkpoint). */
  skip(cursor: string): void {
    this.#advance(cursor);
  }

  #advance(cursor: string): void {
    if (cursor !== "") this.#position = cursor;
  }

  /** Closes the open batch; undefined when it has no events. */
  flush(): Batch | undefined {
    return this.#events.length > 0 ? this.#close() : undefined;
  }

  #close(): Batch {
    const batch = { events: this.#events, bytes: this.#bytes, cursor: this.#position };
    this.#events = [];
    this.#bytes = 0;
    this.#openedAt = undefined;
    return batch;
  }
}

/** Bytes an event adds to a SubmitEventsRequest: its encoding plus the field tag and length prefix. */
export function entryBytes(event: Event): number {
  const length = Event.encode(event).finish().length;
  return 1 + varintBytes(length) + length;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
