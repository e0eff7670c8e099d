/** One figure of bench/results.json: the project's number, the baseline measured in the same run, and the goal. */
export interface BenchResult {
  name: string;
  workload: string;
  unit: string;
  value: number;
  /** What the value is compared with; null for a figure that has an absolute goal or is context only. */
  baseline: string | null;
  baseline_value: number | null;
  /** value / baseline_value. */
  ratio: number | null;
  /** e.g. ">= 0.8" (on the ratio) or "value <= 0.5" (on the value); null when the issue sets none. */
  goal: string | null;
  met: boolean | null;
  note?: string;
}

export interface Goal {
  /** Which number the goal is about. */
  on: "ratio" | "value";
  op: ">=" | "<=";
  target: number;
}

export interface Figure {
  name: string;
  workload: string;
  unit: string;
  value: number;
  baseline?: { name: string; value: number };
  goal?: Goal;
  note?: string;
}

/** Builds a result: ratio against the baseline, and whether the goal is met. */
export function figure(f: Figure): BenchResult {
  const ratio = f.baseline === undefined || f.baseline.value === 0 ? null : f.value / f.baseline.value;
  let goal: string | null = null;
  let met: boolean | null = null;
  if (f.goal !== undefined) {
    const subject = f.goal.on === "ratio" ? ratio : f.value;
    goal = `${f.goal.on === "value" ? "value " : ""}${f.goal.op} ${f.goal.target}`;
    met =
      subject === null || !Number.isFinite(subject)
        ? false
        : f.goal.op === ">="
          ? subject >= f.goal.target
          : subject <= f.goal.target;
  }
  const result: BenchResult = {
    name: f.name,
    workload: f.workload,
    unit: f.unit,
    value: round(f.value),
    baseline: f.baseline?.name ?? null,
    baseline_value: f.baseline === undefined ? null : round(f.baseline.value),
    ratio: ratio === null ? null : round(ratio),
    goal,
    met,
  };
  if (f.note !== undefined) result.note = f.note;
  return result;
}

/** Four significant digits: the runs do not support more. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}
