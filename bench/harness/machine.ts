import { cpus, totalmem } from "node:os";

/** "cpu model, N cores, X GiB, node vZ": what the figures were measured on. */
export function describeMachine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? "unknown cpu";
  const memory = (totalmem() / 2 ** 30).toFixed(1);
  return `${model}, ${cores.length} cores, ${memory} GiB, node ${process.version}`;
}
