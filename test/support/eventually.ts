/**
 * Polls until `condition` holds (it may be async), every `interval` ms; fails naming `what` once `within`
 * ms have passed without it. A bound on waiting, not a speed check: it only turns a hang into a message.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { interval = 5, within = 10_000 }: { interval?: number; within?: number } = {},
): Promise<void> {
  const giveUpAt = Date.now() + within;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= giveUpAt) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
