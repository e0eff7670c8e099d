// Child process for the "never torn" test: saves savedCursor(0), savedCursor(1), ... into the cursor file
// named by argv[2] until killed, announcing "ready" on stdout after the first save.
import { FileCursorStore } from "../../../src/reporter/cursor-store/file-cursor-store.js";
import { savedCursor } from "./saved-cursors.js";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: save-loop.ts CURSOR_FILE");
const store = new FileCursorStore(path);
await store.save(savedCursor(0));
process.stdout.write("ready\n");
for (let i = 1; ; i++) await store.save(savedCursor(i));
