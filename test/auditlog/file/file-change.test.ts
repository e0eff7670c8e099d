import { describe, expect, it } from "vitest";
import { fileChange, type FileChange, type PathState } from "../../../src/auditlog/file/file-change.js";

const open = { dev: 2049n, ino: 131_075n };

describe("fileChange", () => {
  it.each<[string, number, PathState, FileChange]>([
    ["same file, grown", 100, { ...open, size: 250n }, "none"],
    ["same file, same size", 100, { ...open, size: 100n }, "none"],
    ["same file, nothing read yet", 0, { ...open, size: 0n }, "none"],
    ["same file, shorter than what was read (copytruncate)", 100, { ...open, size: 99n }, "truncated"],
    ["same file, emptied", 100, { ...open, size: 0n }, "truncated"],
    ["name gone (deleted or renamed away)", 100, undefined, "missing"],
    [
      "another inode (rotated, or deleted and rewritten)",
      100,
      { ...open, ino: 131_076n, size: 500n },
      "replaced",
    ],
    ["another inode, even when shorter", 100, { ...open, ino: 7n, size: 10n }, "replaced"],
    ["same inode on another device", 100, { ...open, dev: 2050n, size: 500n }, "replaced"],
    ["inode beyond 2^53", 100, { dev: 2049n, ino: 2n ** 60n + 1n, size: 100n }, "replaced"],
  ])("%s", (_name, readOffset, path, expected) => {
    expect(fileChange(open, readOffset, path)).toBe(expected);
  });

  it("tells inodes apart that a double would merge", () => {
    const big = { dev: 1n, ino: 2n ** 60n };
    expect(fileChange(big, 0, { dev: 1n, ino: 2n ** 60n + 1n, size: 0n })).toBe("replaced");
    expect(fileChange(big, 0, { ...big, size: 0n })).toBe("none");
  });
});
