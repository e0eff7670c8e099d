/**
 * An AbortSignal that fires on the first SIGTERM or SIGINT, so long-running commands drain and exit 0.
 * A second signal exits at once (the operator insists).
 */
export function abortOnSignals(onSignal?: (signal: NodeJS.Signals) => void): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(128 + (sig === "SIGINT" ? 2 : 15));
    onSignal?.(sig);
    controller.abort(new Error(`received ${sig}`));
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGTERM", handler);
      process.off("SIGINT", handler);
    },
  };
}
