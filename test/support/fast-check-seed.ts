import fc from "fast-check";

const seed = Number(process.env.FAST_CHECK_SEED);
if (!Number.isSafeInteger(seed))
  throw new Error(`FAST_CHECK_SEED must be a whole number, got ${process.env.FAST_CHECK_SEED}`);
fc.configureGlobal({ seed });
