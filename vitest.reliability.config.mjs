// @ts-check
import { defineConfig } from "vitest/config";

/**
 * `npm run test:reliability`: crash, fault, outage, bad-input, load and security tests (test/reliability,
 * docs/RELIABILITY.md). Files end in `.reliability.ts` so `npm test` does not pick them up. One file at a
 * time: they start processes and measure recovery on a small machine. RELIABILITY=quick (default) or full.
 */
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.reliability.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
