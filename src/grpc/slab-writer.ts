import { protoInt64 } from "@bufbuild/protobuf";
import type { BinaryWriter } from "@bufbuild/protobuf/wire";

/** Smallest slab; a message larger than this gets a slab of its own size (doubled while it grows). */
const SLAB_BYTES = 64 * 1024;

/** Longest string written by the JS ASCII loop; longer ones go to the native UTF-8 encoder. */
const ASCII_LOOP_MAX = 64;

function varint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/**
 * A drop-in `BinaryWriter` for the generated encoders (`Message.encode(value, writer)`) that writes the
 * very same bytes, made for serializing one small message after another: messages are written one after
 * the other into a large slab and `finish` hands out a view of it rather than a copy, and short ASCII
 * strings (ids, names, addresses) skip the native encoder. A slab is never written again once handed
 * out, so a returned Buffer stays valid; a new slab starts when one is full.
 *
 * Only the wire methods protobuf-es's writer offers; `finish` returns a Buffer (a Uint8Array).
 */
export class SlabWriter {
  private slab: Buffer = Buffer.allocUnsafe(0);
  /** Where the message being written starts in the slab. */
  private start = 0;
  private pos = 0;
  private readonly forks: number[] = [];

  /** This writer typed as the generated encoders expect; it provides every method they call. */
  asBinaryWriter(): BinaryWriter {
    return this as unknown as BinaryWriter;
  }

  /** The bytes written since the last `finish`, as a view of the slab (not copied). */
  finish(): Buffer {
    if (this.forks.length > 0) throw new Error("invalid state, fork stack not empty");
    const message = this.slab.subarray(this.start, this.pos);
    this.start = this.pos;
    return message;
  }

  /** Drops what was written since the last `finish` (after an encoder threw half-way). */
  discard(): void {
    this.pos = this.start;
    this.forks.length = 0;
  }

  fork(): this {
    this.forks.push(this.pos);
    // One byte for the length prefix; join() widens it when the payload needs more.
    this.ensure(1);
    this.slab[this.pos++] = 0;
    return this;
  }

  join(): this {
    const at = this.forks.pop();
    if (at === undefined) throw new Error("invalid state, fork stack empty");
    const length = this.pos - at - 1;
    const prefix = varint32Size(length);
    if (prefix > 1) {
      this.ensure(prefix - 1);
      this.slab.copyWithin(at + prefix, at + 1, this.pos);
    }
    this.pos = at;
    this.uint32(length);
    this.pos += length;
    return this;
  }

  tag(fieldNo: number, type: number): this {
    return this.uint32(((fieldNo << 3) | type) >>> 0);
  }

  raw(chunk: Uint8Array): this {
    this.ensure(chunk.length);
    this.slab.set(chunk, this.pos);
    this.pos += chunk.length;
    return this;
  }

  uint32(value: number): this {
    assertUInt32(value);
    this.ensure(5);
    const slab = this.slab;
    let pos = this.pos;
    while (value > 0x7f) {
      slab[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    slab[pos++] = value;
    this.pos = pos;
    return this;
  }

  int32(value: number): this {
    assertInt32(value);
    if (value >= 0) return this.uint32(value);
    // Negative: sign-extended to 64 bits, ten bytes.
    this.ensure(10);
    for (let i = 0; i < 9; i++) {
      this.slab[this.pos++] = (value & 0x7f) | 0x80;
      value >>= 7;
    }
    this.slab[this.pos++] = 1;
    return this;
  }

  bool(value: boolean): this {
    this.ensure(1);
    this.slab[this.pos++] = value ? 1 : 0;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.uint32(value.byteLength);
    return this.raw(value);
  }

  string(value: string): this {
    // protobuf-es coerces a non-string the same way.
    if (typeof value !== "string") value = String(value);
    const length = value.length;
    const prefix = varint32Size(length);
    // A UTF-16 code unit is at most three UTF-8 bytes.
    this.ensure(prefix + length * 3 + 5);
    const slab = this.slab;
    const start = this.pos;
    if (length <= ASCII_LOOP_MAX) {
      let pos = start + prefix;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code > 0x7f) break;
        slab[pos++] = code;
      }
      if (i === length) {
        this.uint32(length);
        this.pos = pos;
        return this;
      }
    }
    // Lone surrogates become U+FFFD here as with TextEncoder, which protobuf-es uses.
    const written = slab.write(value, start + prefix, "utf8");
    const size = varint32Size(written);
    if (size !== prefix) slab.copyWithin(start + size, start + prefix, start + prefix + written);
    this.uint32(written);
    this.pos += written;
    return this;
  }

  float(value: number): this {
    assertFloat32(value);
    this.ensure(4);
    this.pos = this.slab.writeFloatLE(value, this.pos);
    return this;
  }

  double(value: number): this {
    this.ensure(8);
    this.pos = this.slab.writeDoubleLE(value, this.pos);
    return this;
  }

  fixed32(value: number): this {
    assertUInt32(value);
    this.ensure(4);
    this.pos = this.slab.writeUInt32LE(value, this.pos);
    return this;
  }

  sfixed32(value: number): this {
    assertInt32(value);
    this.ensure(4);
    this.pos = this.slab.writeInt32LE(value, this.pos);
    return this;
  }

  sint32(value: number): this {
    assertInt32(value);
    return this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  sfixed64(value: string | number | bigint): this {
    const { lo, hi } = protoInt64.enc(value);
    return this.fixed(lo, hi);
  }

  fixed64(value: string | number | bigint): this {
    const { lo, hi } = protoInt64.uEnc(value);
    return this.fixed(lo, hi);
  }

  int64(value: string | number | bigint): this {
    // A small non-negative value (the common case: indexes, seconds) is the same varint as a uint32.
    if (typeof value === "bigint" && value >= 0n && value <= 0xffffffffn) return this.uint32(Number(value));
    const { lo, hi } = protoInt64.enc(value);
    return this.varint64(lo, hi);
  }

  sint64(value: string | number | bigint): this {
    const { lo, hi } = protoInt64.enc(value);
    const sign = hi >> 31;
    return this.varint64((lo << 1) ^ sign, ((hi << 1) | (lo >>> 31)) ^ sign);
  }

  uint64(value: string | number | bigint): this {
    const { lo, hi } = protoInt64.uEnc(value);
    return this.varint64(lo, hi);
  }

  private fixed(lo: number, hi: number): this {
    this.ensure(8);
    this.slab.writeInt32LE(lo, this.pos);
    this.slab.writeInt32LE(hi, this.pos + 4);
    this.pos += 8;
    return this;
  }

  /** A 64-bit varint from its low and high 32-bit words (protobuf's varint64write). */
  private varint64(lo: number, hi: number): this {
    this.ensure(10);
    const slab = this.slab;
    for (let i = 0; i < 28; i += 7) {
      const shift = lo >>> i;
      const more = !(shift >>> 7 === 0 && hi === 0);
      slab[this.pos++] = (more ? shift | 0x80 : shift) & 0xff;
      if (!more) return this;
    }
    const split = ((lo >>> 28) & 0x0f) | ((hi & 0x07) << 4);
    const more = !(hi >> 3 === 0);
    slab[this.pos++] = (more ? split | 0x80 : split) & 0xff;
    if (!more) return this;
    for (let i = 3; i < 31; i += 7) {
      const shift = hi >>> i;
      const next = !(shift >>> 7 === 0);
      slab[this.pos++] = (next ? shift | 0x80 : shift) & 0xff;
      if (!next) return this;
    }
    slab[this.pos++] = (hi >>> 31) & 0x01;
    return this;
  }

  /** Room for `bytes` more; a full slab's message in progress moves to a new one. */
  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.slab.length) return;
    const written = this.pos - this.start;
    let size = SLAB_BYTES;
    while (size < written + bytes) size *= 2;
    const slab = Buffer.allocUnsafe(size);
    this.slab.copy(slab, 0, this.start, this.pos);
    for (let i = 0; i < this.forks.length; i++) this.forks[i] = (this.forks[i] as number) - this.start;
    this.slab = slab;
    this.start = 0;
    this.pos = written;
  }
}

function assertUInt32(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new Error(`invalid uint32: ${value}`);
}

function assertInt32(value: number): void {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new Error(`invalid int32: ${value}`);
  }
}

function assertFloat32(value: number): void {
  if (Number.isFinite(value) && (value > 3.4028234663852886e38 || value < -3.4028234663852886e38)) {
    throw new Error(`invalid float32: ${value}`);
  }
}
