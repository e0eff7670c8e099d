import type { BenchResult } from "./result.js";
import type { FileLogFixture } from "./file-log-fixture.js";

/** What every benchmark gets from the runner. */
export interface BenchContext {
  /** Smaller workloads and shorter waits, for a run of a few minutes. */
  readonly quick: boolean;
  /** A scratch directory of this run (removed at the end). */
  readonly workDir: string;
  /** A file audit log of at least `events` generated events, shared between benchmarks. */
  fileLog(events: number): Promise<FileLogFixture>;
  /** Progress on stderr. */
  progress(message: string): void;
}

/** One benchmark: a file under bench/, registered in bench/run.ts. */
export interface Bench {
  readonly name: string;
  run(context: BenchContext): Promise<BenchResult[]>;
}
