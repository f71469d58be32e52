/**
 * Bounded line framing over Buffers.
 *
 * - LF, CRLF and bare CR all end a line (CR and LF are both terminators and empty
 *   lines are skipped, so CRLF, even split across chunks, yields exactly one line).
 * - A line longer than `maxBytes` (terminator excluded) is discarded up to the next
 *   line end and reported once through `tooLong()`; reading then carries on.
 * - Lines are decoded as UTF-8 with U+FFFD replacement; never throws on input. With
 *   `markInvalidUtf8` (IRC connections: the server advertises UTF8ONLY), a line whose
 *   bytes are not valid UTF-8 is delivered with INVALID_UTF8_MARK in front, so the core
 *   can refuse it; plain users (netcat in a Latin-1 terminal) stay lenient.
 * - At most `maxBytes` of partial line is ever held between chunks.
 * - Complete lines are decoded straight out of the incoming chunk (no concatenation).
 */
import { isUtf8 } from 'node:buffer';
import { INVALID_UTF8_MARK } from '../protocol/limits.js';

export { INVALID_UTF8_MARK };

export interface LineReaderOptions {
  /** mark lines that were not valid UTF-8 (see INVALID_UTF8_MARK) */
  markInvalidUtf8?: boolean;
}

export interface LineReaderHandlers {
  line(line: string): void;
  tooLong(): void;
}

const LF = 10;
const CR = 13;

export class LineReader {
  readonly maxBytes: number;
  /** called as methods (the handler may be an object with state, e.g. the connection: no closures) */
  private readonly handlers: LineReaderHandlers;
  /** bytes of an unfinished line carried over from earlier chunks (always <= maxBytes) */
  private partial: Buffer | null = null;
  /** currently skipping the rest of an over-long line */
  private discarding = false;
  private readonly mark: boolean;

  constructor(maxBytes: number, handlers: LineReaderHandlers, opts: LineReaderOptions = {}) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`LineReader: maxBytes must be a positive integer, got ${String(maxBytes)}`);
    }
    this.maxBytes = maxBytes;
    this.handlers = handlers;
    this.mark = opts.markInvalidUtf8 === true;
  }

  /** Decodes bytes [start, end) of `buf`; the validity check runs only when a U+FFFD came out. */
  private decode(buf: Buffer, start: number, end: number): string {
    const s = buf.toString('utf8', start, end);
    if (!this.mark || !s.includes('\ufffd') || isUtf8(buf.subarray(start, end))) return s;
    return INVALID_UTF8_MARK + s;
  }

  /** Bytes of partial line currently held. */
  get bufferedBytes(): number {
    return this.partial === null ? 0 : this.partial.length;
  }

  push(chunk: Buffer): void {
    const len = chunk.length;
    const max = this.maxBytes;
    let pos = 0;
    // Next LF / CR positions, searched lazily and cached so a chunk is scanned
    // at most once per terminator kind (linear, even with no CRs at all).
    let lf = -2;
    let cr = -2;
    while (pos < len) {
      if (lf !== -1 && lf < pos) lf = chunk.indexOf(LF, pos);
      if (cr !== -1 && cr < pos) cr = chunk.indexOf(CR, pos);
      let end: number;
      if (lf === -1) end = cr;
      else if (cr === -1) end = lf;
      else end = lf < cr ? lf : cr;

      if (end === -1) {
        this.keepPartial(chunk, pos, len);
        return;
      }

      // a complete line: [pos, end) plus whatever was carried over
      if (this.discarding) {
        this.discarding = false;
        this.partial = null;
      } else if (this.partial !== null) {
        const carried = this.partial;
        this.partial = null;
        const total = carried.length + (end - pos);
        if (total > max) {
          this.handlers.tooLong();
        } else if (total > 0) {
          const joined = Buffer.concat([carried, chunk.subarray(pos, end)], total);
          this.handlers.line(this.decode(joined, 0, total));
        }
      } else if (end > pos) {
        if (end - pos > max) this.handlers.tooLong();
        else this.handlers.line(this.decode(chunk, pos, end));
      }
      pos = end + 1;
    }
  }

  /**
   * Delivers the partial line held so far (if any) as a complete line, as if a line end
   * had arrived. For peers that send text without a newline (plain connections, after a
   * pause or at close). A line being discarded as too long is just dropped.
   */
  flush(): void {
    const carried = this.partial;
    this.partial = null;
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (carried !== null && carried.length > 0) this.handlers.line(this.decode(carried, 0, carried.length));
  }

  /** Drops any partial line (e.g. when the connection goes away). */
  reset(): void {
    this.partial = null;
    this.discarding = false;
  }

  private keepPartial(chunk: Buffer, start: number, end: number): void {
    if (this.discarding || start === end) return;
    const n = end - start;
    const have = this.partial === null ? 0 : this.partial.length;
    if (have + n > this.maxBytes) {
      // over the limit without a line end yet: report now, skip to the next line end
      this.partial = null;
      this.discarding = true;
      this.handlers.tooLong();
      return;
    }
    // copy, so a small tail never pins a large socket chunk in memory
    const buf = Buffer.allocUnsafe(have + n);
    if (this.partial !== null) this.partial.copy(buf, 0);
    chunk.copy(buf, have, start, end);
    this.partial = buf;
  }
}
