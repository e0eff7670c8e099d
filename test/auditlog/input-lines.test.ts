import { describe, expect, it } from "vitest";
import { inputLines, type InputLine } from "../../src/auditlog/input-lines.js";

async function collect(chunks: (string | Uint8Array)[], maxLineBytes = 64): Promise<InputLine[]> {
  const out: InputLine[] = [];
  const source: AsyncIterable<string | Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: () =>
          Promise.resolve(
            i < chunks.length ? { done: false, value: chunks[i++]! } : { done: true, value: undefined },
          ),
      };
    },
  };
  for await (const line of inputLines(source, maxLineBytes)) out.push(line);
  return out;
}

describe("inputLines", () => {
  it("splits chunks into lines, across chunk boundaries, with a last line lacking its newline", async () => {
    expect(await collect(["a\nb", "c\n\n", "d"])).toEqual(["a", "bc", "", "d"]);
  });

  it("leaves a CR before the newline in the text", async () => {
    expect(await collect(["{}\r\n{}\n"])).toEqual(["{}\r", "{}"]);
  });

  it("keeps multi-byte characters split between chunks", async () => {
    const bytes = Buffer.from("żółw 🐢\n", "utf8");
    expect(await collect([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual([
      "żółw 🐢",
    ]);
  });

  it("refuses invalid UTF-8 instead of replacing it, so two distinct byte strings never merge", async () => {
    expect(
      await collect([Buffer.from([0x62, 0x61, 0x64, 0xff, 0x0a, 0x62, 0x61, 0x64, 0xfe, 0x0a, 0x6f, 0x6b])]),
    ).toEqual([{ refused: "not valid UTF-8" }, { refused: "not valid UTF-8" }, "ok"]);
  });

  it("refuses a line over the bound, then reads on", async () => {
    expect(await collect(["x".repeat(40), "y".repeat(40), "\nshort\n", "z".repeat(65)], 64)).toEqual([
      { refused: "longer than 64 bytes" },
      "short",
      { refused: "longer than 64 bytes" },
    ]);
  });

  it("drops a huge line's bytes as they arrive (a 64 MiB line in 1 MiB chunks)", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    const chunks = Array.from({ length: 64 }, () => chunk);
    expect(await collect([...chunks, "\n{}\n"], 16 * 1024 * 1024)).toEqual([
      { refused: "longer than 16777216 bytes" },
      "{}",
    ]);
  });
});
