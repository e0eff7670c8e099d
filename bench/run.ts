import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bench, BenchContext } from "./harness/bench.js";
import { createFileLog, type FileLogFixture } from "./harness/file-log-fixture.js";
import { describeMachine } from "./harness/machine.js";
import type { BenchResult } from "./harness/result.js";
import { formatTable } from "./harness/table.js";
import { codecBench } from "./codec.js";
import { dynamoRoundTripsBench } from "./dynamo-round-trips.js";
import { dynamoStreamBench } from "./dynamo-stream.js";
import { latencyBench } from "./latency.js";
import { mauBench } from "./mau.js";
import { memoryBench } from "./memory.js";
import { pipelineBench } from "./pipeline.js";
import { postgresBench } from "./postgres.js";
import { sinkBench } from "./sink.js";
import { streamBench } from "./stream.js";

const BENCHES: readonly Bench[] = [
  streamBench,
  codecBench,
  dynamoStreamBench,
  dynamoRoundTripsBench,
  latencyBench,
  pipelineBench,
  sinkBench,
  mauBench,
  postgresBench,
  memoryBench,
];

/** A benchmark that hangs is reported as failed and the run goes on. */
const QUICK_LIMIT_MS = 5 * 60_000;
const FULL_LIMIT_MS = 30 * 60_000;

const USAGE = `usage: npm run bench [-- --quick] [-- --only NAME[,NAME…]]
benchmarks: ${BENCHES.map((b) => b.name).join(", ")}`;

interface Args {
  quick: boolean;
  only: Set<string> | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") args.quick = true;
    else if (arg === "--only" && argv[i + 1] !== undefined) args.only = new Set(argv[++i]?.split(","));
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  for (const name of args.only ?? []) {
    if (!BENCHES.some((b) => b.name === name)) throw new Error(`no benchmark named ${name}\n${USAGE}`);
  }
  return args;
}

/** Runs the benchmarks one after another, prints the table and writes bench/results.json. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const workDir = await mkdtemp(join(tmpdir(), "tenant-events-bench-"));
  let shared: { fixture: Promise<FileLogFixture>; events: number } | undefined;
  const context: BenchContext = {
    quick: args.quick,
    workDir,
    fileLog(events) {
      // One log for the run, regenerated larger if a later benchmark needs more.
      if (shared === undefined || shared.events < events) {
        const dir = join(workDir, `file-log-${events}`);
        progress(`generating a file audit log of ${events} events`);
        shared = { fixture: mkdir(dir).then(() => createFileLog(dir, events)), events };
      }
      return shared.fixture;
    },
    progress,
  };
  const results: BenchResult[] = [];
  const failures: { name: string; error: string }[] = [];
  try {
    for (const bench of BENCHES) {
      if (args.only !== undefined && !args.only.has(bench.name)) continue;
      progress(`${bench.name}…`);
      const started = performance.now();
      try {
        results.push(...(await withTimeout(bench.run(context), args.quick ? QUICK_LIMIT_MS : FULL_LIMIT_MS)));
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push({ name: bench.name, error });
        progress(`${bench.name} FAILED: ${error}`);
      }
      progress(`${bench.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const machine = describeMachine();
  const output = join(dirname(fileURLToPath(import.meta.url)), "results.json");
  await writeFile(
    output,
    `${JSON.stringify({ machine, quick: args.quick, date: new Date().toISOString(), results, failures }, null, 2)}\n`,
  );
  process.stdout.write(`\n${machine}${args.quick ? " (--quick)" : ""}\n\n${formatTable(results)}\n\n`);
  for (const f of failures) process.stdout.write(`FAILED ${f.name}: ${f.error.split("\n")[0]}\n`);
  process.stdout.write(`results written to ${output}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

// Exit even if a failed benchmark left a stream or server behind.
await main().then(
  () => process.exit(),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
