// @ts-check
import { defineConfig } from "vitest/config";

/**
 * `npm run test:reliability`: crash, fault, outage, bad-input, load and security tests (test/reliability,
 * docs/RELIABILITY.md). Files end in `.reliability.ts` so `npm test` does not pick them up. One file at a
 * time: they start processes and kill them on a small machine. RELIABILITY=quick (default) or full.
 * One seed for the whole run (RELIABILITY_SEED, or a random one), printed so a run can be repeated.
 */
const seed = process.env.RELIABILITY_SEED ?? String(Math.floor(Math.random() * 0x7fff_ffff));
console.log(`reliability: RELIABILITY=${process.env.RELIABILITY ?? "quick"} RELIABILITY_SEED=${seed}`);

export default defineConfig({
  test: {
    include: ["test/reliability/**/*.reliability.ts"],
    testTimeout: 900_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", RELIABILITY_SEED: seed },
  },
});
