import { readdir } from "node:fs/promises";
import { isDayFileName } from "./day-file.js";
import { translateFsError } from "./fs-errors.js";

/**
 * The day files of an audit log directory in log order (name order). Other entries, such as Teleport's
 * `events.log` symlink to the current file, are not part of the log.
 * @throws FailedPreconditionError when the directory is missing or unreadable
 */
export async function listDayFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw translateFsError(err, `cannot list audit log directory ${dir}`);
  }
  return entries
    .filter((e) => e.isFile() && isDayFileName(e.name))
    .map((e) => e.name)
    .sort();
}
