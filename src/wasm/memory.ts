// The allocator over the core's linear memory. Blocks are 16-byte aligned so SIMD loads
// line up; freed blocks are coalesced; memory only grows when no free block fits.
// Views are re-derived from one place whenever memory.grow has replaced the buffer.

const PAGE = 65536;
const ALIGN = 16;

export class Arena {
  private readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly live = new Map<number, number>(); // offset -> size
  private free: { offset: number; size: number }[] = []; // sorted by offset
  private buffer: ArrayBuffer;
  private f32View: Float32Array;
  private u32View: Uint32Array;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.top = alignUp(base);
    this.buffer = memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.u32View = new Uint32Array(this.buffer);
  }

  /** Reserves `bytes` (rounded up to 16) and returns the byte offset. */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, ALIGN));
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block.size < size) continue;
      const offset = block.offset;
      if (block.size === size) this.free.splice(i, 1);
      else {
        block.offset += size;
        block.size -= size;
      }
      this.live.set(offset, size);
      return offset;
    }
    const offset = this.top;
    this.ensure(offset + size);
    this.top = offset + size;
    this.live.set(offset, size);
    return offset;
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  release(offset: number): void {
    const size = this.live.get(offset);
    if (size === undefined) throw new Error(`internal: release of unknown block at ${offset}`);
    this.live.delete(offset);
    let lo = 0,
      hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, { offset, size });
    const next = this.free[lo + 1];
    if (next && offset + size === next.offset) {
      this.free[lo]!.size += next.size;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev && prev.offset + prev.size === offset) {
      prev.size += this.free[lo]!.size;
      this.free.splice(lo, 1);
    }
    // A free block at the top is handed back to the bump pointer, so the top stays tight.
    const last = this.free[this.free.length - 1];
    if (last && last.offset + last.size === this.top) {
      this.top = last.offset;
      this.free.pop();
    }
  }

  /** Bytes currently handed out. */
  get liveBytes(): number {
    let total = 0;
    for (const size of this.live.values()) total += size;
    return total;
  }

  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  f32(): Float32Array {
    if (this.memory.buffer !== this.buffer) this.refresh();
    return this.f32View;
  }

  u32(): Uint32Array {
    if (this.memory.buffer !== this.buffer) this.refresh();
    return this.u32View;
  }

  // Grows by at least half the current size, so a run of allocations grows (and replaces the
  // buffer) a logarithmic number of times; near the 4 GiB limit, by exactly what is needed.
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const needed = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(Math.max(needed, Math.ceil(have / PAGE / 2)));
    } catch {
      this.memory.grow(needed);
    }
    this.refresh();
  }

  private refresh(): void {
    this.buffer = this.memory.buffer;
    this.f32View = new Float32Array(this.buffer);
    this.u32View = new Uint32Array(this.buffer);
  }
}

const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;
