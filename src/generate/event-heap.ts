/** A min-heap of pending lines by (time, insertion order): ties keep the order events were made in. */
export class EventHeap {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly lines: string[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.lines.length;
  }

  /** The earliest pending time; Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Infinity : (this.times[0] as number);
  }

  push(time: number, line: string): void {
    this.times.push(time);
    this.seqs.push(this.nextSeq);
    this.lines.push(line);
    this.nextSeq += 1;
    this.up(this.lines.length - 1);
  }

  pop(): string | undefined {
    const n = this.lines.length;
    if (n === 0) return undefined;
    const top = this.lines[0];
    this.move(n - 1, 0);
    this.times.pop();
    this.seqs.pop();
    this.lines.pop();
    if (n > 1) this.down(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    const ti = this.times[i] as number;
    const tj = this.times[j] as number;
    return ti < tj || (ti === tj && (this.seqs[i] as number) < (this.seqs[j] as number));
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.lines[to] = this.lines[from] as string;
  }

  private swap(i: number, j: number): void {
    [this.times[i], this.times[j]] = [this.times[j] as number, this.times[i] as number];
    [this.seqs[i], this.seqs[j]] = [this.seqs[j] as number, this.seqs[i] as number];
    [this.lines[i], this.lines[j]] = [this.lines[j] as string, this.lines[i] as string];
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    const n = this.lines.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.less(left, smallest)) smallest = left;
      if (right < n && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
