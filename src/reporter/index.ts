/**
 * `tenant-events/reporter`: the reporter and its seams, to run it with your own event source, cursor
 * store, anonymizer or submitter (each an interface; the product's implementations are exported too).
 */
export { Reporter, type ReporterOptions, type ReporterResult } from "./reporter.js";
export { REPORTER_DEFAULTS } from "./reporter-options.js";
export type { EventSource } from "./event-source.js";
export type { CursorStore } from "./cursor-store/cursor-store.js";
export { FileCursorStore } from "./cursor-store/file-cursor-store.js";
export type { Anonymizer } from "./anonymizer/anonymizer.js";
export { HmacAnonymizer } from "./anonymizer/hmac-anonymizer.js";
export { MemoAnonymizer } from "./anonymizer/memo-anonymizer.js";
export type { SubmitOptions, Submitter } from "./submitter/submitter.js";
export { UsageReporter, type UsageReporterOptions } from "./usage/usage-reporter.js";
export { JsonFileUsageSource } from "./usage/json-file-usage-source.js";
export type { UsageCounts, UsageSource } from "./usage/usage-source.js";
export { createGrpcSubmitter, GrpcSubmitter, type GrpcSubmitterOptions } from "./submitter/grpc-submitter.js";
