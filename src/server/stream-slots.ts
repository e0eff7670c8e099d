/**
 * The events server's stream slots, shared fairly between clients (a client is one connection). Below
 * the bound every stream is admitted. At the bound a client holding less than its fair share (the bound
 * divided by the clients, itself included) still gets a slot: the newest stream of the client holding
 * the most, above that share, gives it up (it ends with UNAVAILABLE and its client resumes from its
 * cursor). So one client can use every slot while it is alone, but cannot keep another out.
 */
export type Admission<S> =
  { admitted: true; preempted?: S } | { admitted: false; limit: number; share: number | undefined };

export class StreamSlots<S> {
  readonly #byClient = new Map<string, S[]>();
  #active = 0;

  /** @param max concurrent streams in all, at least 1 */
  constructor(private readonly max: number) {}

  get active(): number {
    return this.#active;
  }

  /** Streams `client` holds. */
  held(client: string): number {
    return this.#byClient.get(client)?.length ?? 0;
  }

  /**
   * Admits `stream` of `client`, or says why not: the bound is reached and `client` already holds its
   * share (`share`), or no other client holds more than its share (`share` undefined). When admitting it
   * takes another stream's slot, that stream is `preempted`: the caller ends it.
   */
  admit(client: string, stream: S): Admission<S> {
    if (this.#active < this.max) {
      this.#add(client, stream);
      return { admitted: true };
    }
    const clients = this.#byClient.size + (this.#byClient.has(client) ? 0 : 1);
    const share = Math.max(1, Math.floor(this.max / clients));
    if (this.held(client) >= share) return { admitted: false, limit: this.max, share };
    let most: S[] | undefined;
    for (const streams of this.#byClient.values()) {
      if (most === undefined || streams.length > most.length) most = streams;
    }
    if (most === undefined || most.length <= share)
      return { admitted: false, limit: this.max, share: undefined };
    const preempted = most.pop() as S;
    this.#active -= 1;
    this.#forgetEmpty();
    this.#add(client, stream);
    return { admitted: true, preempted };
  }

  /** Gives back `stream`'s slot; nothing when it holds none (already preempted or released). */
  release(client: string, stream: S): void {
    const streams = this.#byClient.get(client);
    const index = streams?.indexOf(stream) ?? -1;
    if (streams === undefined || index < 0) return;
    streams.splice(index, 1);
    this.#active -= 1;
    this.#forgetEmpty();
  }

  #add(client: string, stream: S): void {
    const streams = this.#byClient.get(client);
    if (streams === undefined) this.#byClient.set(client, [stream]);
    else streams.push(stream);
    this.#active += 1;
  }

  #forgetEmpty(): void {
    for (const [client, streams] of this.#byClient) if (streams.length === 0) this.#byClient.delete(client);
  }
}
