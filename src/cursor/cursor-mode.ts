/**
 * Which events of a stream carry their cursor. "every-event": all of them. "checkpoints": only those the
 * log chooses (the others carry ""), and always the last message before the stream waits for new events
 * or ends; a checkpoint may be a message without an event that carries only the cursor. Shared by the
 * audit log, the events client and the reporter's event source.
 */
export type CursorMode = "every-event" | "checkpoints";
