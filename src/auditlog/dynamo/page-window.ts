import { afterKey, positionKey, type ShardPosition } from "./shard-position.js";
import type { StreamRecord } from "./streams-client.js";

/** One GetRecords response of a shard, as a shared reader keeps it. */
export interface WindowPage {
  /** The position the page was read at. */
  from: ShardPosition;
  records: readonly StreamRecord[];
  /** The position after the page. */
  next: ShardPosition;
  /** The shard has ended: nothing follows `next`. */
  finished: boolean;
  /** Increases with every page read in the process: tells a reader which empty pages it has seen. */
  fetch: number;
}

/**
 * The last few pages a shared reader has read, so subscribers at any position inside them are served
 * without a GetRecords of their own. Bounded by page count: the oldest page goes when a new one exceeds
 * the limit, whoever still wanted it. An empty page only says "nothing more yet"; it is kept only while it
 * is the newest. Pure.
 */
export class PageWindow {
  private pages: WindowPage[] = [];
  private records = 0;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("a page window holds at least one page");
  }

  get size(): number {
    return this.pages.length;
  }

  /** Records held across the pages. */
  get recordCount(): number {
    return this.records;
  }

  /** The newest page is empty: the reader was at the end of the shard when it last read. */
  atHead(): boolean {
    const newest = this.pages.at(-1);
    return newest !== undefined && newest.records.length === 0 && !newest.finished;
  }

  append(page: WindowPage): void {
    const newest = this.pages.at(-1);
    if (newest !== undefined && newest.records.length === 0 && !newest.finished) this.pages.pop();
    this.pages.push(page);
    this.records += page.records.length;
    while (this.pages.length > this.limit) this.records -= (this.pages.shift() as WindowPage).records.length;
  }

  clear(): void {
    this.pages = [];
    this.records = 0;
  }

  /**
   * What the window holds after the position `key`: a whole page read there, the rest of a page that
   * contains the record the position follows, or the end of a finished shard. An empty page read there
   * is returned only when newer than `seenFetch` (the reader has not seen it), so that a caller polling
   * an idle shard gets each poll's answer once and then asks for a new poll. Undefined: not held.
   */
  lookup(key: string, seenFetch: number): WindowPage | undefined {
    for (let i = this.pages.length - 1; i >= 0; i--) {
      const page = this.pages[i] as WindowPage;
      if (positionKey(page.from) === key) {
        const news = page.records.length > 0 || page.finished || page.fetch > seenFetch;
        return news ? page : undefined;
      }
      const index = page.records.findIndex((record) => afterKey(record.sequenceNumber) === key);
      if (index < 0) continue;
      if (index < page.records.length - 1) return { ...page, records: page.records.slice(index + 1) };
      // Just after the page's last record: a newer page read there would have matched already.
      return page.finished ? { ...page, records: [] } : undefined;
    }
    return undefined;
  }
}
