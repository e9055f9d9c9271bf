// The protobuf wire format (protobuf.dev/programming-guides/encoding), just what ONNX needs.
// Hand-written rather than protobufjs/minimal: the library's reader and writer alone cost
// 34.7 kB minified (11.3 kB gzip), several times this file, and every read here is bounds-checked
// so a hostile file fails with an ArgumentError instead of reading past its end.
import { ArgumentError } from "../errors.js";

export const VARINT = 0,
  FIXED64 = 1,
  BYTES = 2,
  FIXED32 = 5;

const TEXT_DECODER = new TextDecoder("utf-8", { fatal: true });
const TEXT_ENCODER = new TextEncoder();

/** Reads fields of one message in bytes[pos, end). `what` names the message in errors. */
export class ProtoReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  fail(expected: string, given: string): never {
    throw new ArgumentError(this.what, expected, `${given} at byte ${this.pos}`);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint that fits a safe integer (tags, lengths, enums, counts). */
  uint(): number {
    let result = 0,
      scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail("a complete protobuf message", "a varint cut off by the end");
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return Number.isSafeInteger(result) ? result : this.fail("a varint below 2^53", String(result));
      scale *= 128;
    }
    return this.fail("a varint below 2^53", "a longer varint");
  }

  /** A signed int64 varint (two's complement, as ONNX writes -1 dims); must fit a safe integer. */
  int64(): number {
    let value = 0n,
      shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("a complete protobuf message", "a varint cut off by the end");
      const b = this.bytes[this.pos++]!;
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        const signed = BigInt.asIntN(64, value);
        if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < -BigInt(Number.MAX_SAFE_INTEGER))
          this.fail("an integer of at most 2^53", String(signed));
        return Number(signed);
      }
      shift += 7n;
    }
    return this.fail("a varint of at most 10 bytes", "a longer one");
  }

  float(): number {
    if (this.end - this.pos < 4) this.fail("a complete protobuf message", "a float cut off by the end");
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** The next length-delimited field's bytes, as a view (nothing copied). */
  bytesField(): Uint8Array {
    const length = this.uint();
    if (length > this.end - this.pos)
      this.fail("a length within the message", `${length} bytes where ${this.end - this.pos} remain`);
    const view = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  string(): string {
    const b = this.bytesField();
    try {
      return TEXT_DECODER.decode(b);
    } catch {
      return this.fail("UTF-8 text", "invalid UTF-8");
    }
  }

  /** A reader over the next embedded message. */
  message(what: string): ProtoReader {
    const b = this.bytesField();
    return new ProtoReader(
      this.bytes,
      what,
      b.byteOffset - this.bytes.byteOffset,
      b.byteOffset - this.bytes.byteOffset + b.length,
    );
  }

  /** The next tag: field number and wire type. */
  tag(): { field: number; wire: number } {
    const t = this.uint();
    const field = Math.floor(t / 8),
      wire = t % 8;
    if (field === 0) this.fail("a field number >= 1", "field 0");
    return { field, wire };
  }

  /** Skips a field this reader does not use. Groups (wire types 3, 4) are refused: ONNX has none. */
  skip(wire: number): void {
    if (wire === VARINT) this.int64Skip();
    else if (wire === FIXED64) this.advance(8);
    else if (wire === BYTES) this.bytesField();
    else if (wire === FIXED32) this.advance(4);
    else this.fail("a protobuf wire type 0, 1, 2 or 5", `wire type ${wire}`);
  }

  /** Repeated int64: packed (one length-delimited run) or one value per tag. */
  int64s(wire: number, into: number[]): void {
    if (wire !== BYTES) {
      this.expectWire(wire, VARINT);
      into.push(this.int64());
      return;
    }
    const packed = this.message(this.what);
    while (!packed.done) into.push(packed.int64());
    this.pos = packed.end;
  }

  /** Repeated float: packed or one value per tag. */
  floats(wire: number, into: number[]): void {
    if (wire !== BYTES) {
      this.expectWire(wire, FIXED32);
      into.push(this.float());
      return;
    }
    const b = this.bytesField();
    if (b.length % 4 !== 0) this.fail("packed floats (a multiple of 4 bytes)", `${b.length} bytes`);
    const view = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < b.length; i += 4) into.push(view.getFloat32(i, true));
  }

  expectWire(wire: number, expected: number): void {
    if (wire !== expected) this.fail(`wire type ${expected} for this field`, `wire type ${wire}`);
  }

  private int64Skip(): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("a complete protobuf message", "a varint cut off by the end");
      if (this.bytes[this.pos++]! < 0x80) return;
    }
    this.fail("a varint of at most 10 bytes", "a longer one");
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) this.fail("a complete protobuf message", "a fixed-size field cut off by the end");
    this.pos += n;
  }
}

/** Builds one message; embedded messages are written by a nested writer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, value: number): this {
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, FIXED32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, BYTES);
    this.varint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.length);
    this.length += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, TEXT_ENCODER.encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** Packed repeated int64. */
  int64s(field: number, values: readonly number[]): this {
    const packed = new ProtoWriter();
    for (const v of values) packed.varint(v);
    return this.bytes(field, packed.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
