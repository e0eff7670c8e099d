import { DataLossError, UnavailableError } from "../../errors/errors.js";

// Conditions the reader handles itself. Each extends the domain error that fits should it ever escape.

/** The shard iterator is older than 15 minutes; get a new one from the last sequence number. */
export class ExpiredIteratorError extends UnavailableError {}

/** The requested position is older than the stream's 24-hour retention. */
export class TrimmedDataError extends DataLossError {}

/** The service asked us to slow down (LimitExceeded, ProvisionedThroughputExceeded, Throttling). */
export class ThrottledError extends UnavailableError {}
