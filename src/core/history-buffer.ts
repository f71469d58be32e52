/**
 * History's write-behind buffer: the events recorded and not yet committed, oldest
 * first, as records of src/storage/event-codec.ts in 64 KiB chunks outside the V8 heap
 * (why: that module's comment). A commit takes them out as an EventBatch, a failed one
 * puts it back in front; a redaction or a deleted conversation marks records removed in
 * place; the outage bound drops from the front.
 *
 * A chunk is only ever appended to: a batch taken out is a list of views of chunks that
 * later records go after, never over.
 */
import type { NewEvent } from '../storage/types.js';
import { decodeEvent, encodeEvent, isRemoved, keyIs, markRemoved, maxEncodedSize, recordLength, recordTarget, recordTime, targetIs } from '../storage/event-codec.js';

const CHUNK = 64 * 1024;

/** Records [start, end) of one chunk. */
interface Seg {
  readonly buf: Buffer;
  start: number;
  end: number;
}

function eachRecord(segs: readonly Seg[], fn: (buf: Buffer, off: number, len: number) => void): void {
  for (const s of segs) {
    for (let off = s.start; off < s.end; ) {
      const len = recordLength(s.buf, off);
      fn(s.buf, off, len);
      off += len;
    }
  }
}

/** Events taken out of an EventBuffer for one commit. */
const span = (segs: readonly Seg[]): number => segs.reduce((n, s) => n + s.end - s.start, 0);

export class EventBatch {
  readonly segs: readonly Seg[];
  /** events in it (removed records not counted) */
  readonly count: number;
  /** their encoded bytes */
  readonly bytes: number;

  constructor(segs: readonly Seg[], count: number, bytes: number) {
    this.segs = segs;
    this.count = count;
    this.bytes = bytes;
  }

  /**
   * The records as one fresh buffer of its own (nothing else shares its memory, so it can
   * be transferred to another thread). Removed records stay in it, marked: decoders skip them.
   */
  toBytes(): Uint8Array {
    const out = Buffer.allocUnsafeSlow(span(this.segs));
    let p = 0;
    for (const s of this.segs) p += s.buf.copy(out, p, s.start, s.end);
    return out;
  }

  /** The events as objects, for a store that takes them so. */
  decode(): NewEvent[] {
    const out: NewEvent[] = [];
    eachRecord(this.segs, (buf, off) => {
      if (!isRemoved(buf, off)) out.push(decodeEvent(buf, off));
    });
    return out;
  }
}

export class EventBuffer {
  /** oldest first */
  #segs: Seg[] = [];
  /** the chunk being filled, and how much of it is */
  #chunk: Buffer | null = null;
  #used = 0;
  #count = 0;
  #bytes = 0;
  /** bytes of every record held, the removed ones too (what the bound is on) */
  #held = 0;

  /** Events held (removed ones not counted). */
  get length(): number {
    return this.#count;
  }

  /** Their encoded bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Bytes of every record held, removed ones included: they stay in their chunk until it
   * is committed or dropped, so the byte bound is on this (a flood of messages each
   * redacted at once, during an outage, cannot grow memory past it).
   */
  get heldBytes(): number {
    return this.#held;
  }

  push(target: string, msgid: string, time: number, command: string, source: string, params: readonly string[], tags: string): void {
    const need = maxEncodedSize(target, msgid, command, source, tags, params);
    if (this.#chunk === null || this.#chunk.length - this.#used < need) {
      this.#chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK, need));
      this.#used = 0;
    }
    const buf = this.#chunk;
    const start = this.#used;
    const end = encodeEvent(buf, start, target, msgid, time, command, source, params, tags);
    this.#used = end;
    const last = this.#segs.at(-1);
    if (last !== undefined && last.buf === buf && last.end === start) last.end = end;
    else this.#segs.push({ buf, start, end });
    this.#count++;
    this.#bytes += end - start;
    this.#held += end - start;
  }

  /** Everything, oldest first; the buffer is empty after. */
  takeAll(): EventBatch {
    const b = new EventBatch(this.#segs, this.#count, this.#bytes);
    this.#segs = [];
    this.#count = 0;
    this.#bytes = 0;
    this.#held = 0;
    return b;
  }

  /** The oldest `n` events (fewer if it holds fewer). */
  takeOldest(n: number): EventBatch {
    const taken: Seg[] = [];
    let count = 0;
    let bytes = 0;
    while (this.#segs.length > 0 && count < n) {
      const s = this.#segs[0]!;
      let off = s.start;
      while (off < s.end && count < n) {
        const len = recordLength(s.buf, off);
        if (!isRemoved(s.buf, off)) {
          count++;
          bytes += len;
        }
        off += len;
      }
      taken.push({ buf: s.buf, start: s.start, end: off });
      if (off < s.end) s.start = off;
      else this.#segs.shift();
    }
    this.#count -= count;
    this.#bytes -= bytes;
    this.#held -= span(taken);
    return new EventBatch(taken, count, bytes);
  }

  /** A batch whose commit failed goes back in front, to be tried again first. */
  putBack(b: EventBatch): void {
    if (b.segs.length === 0) return;
    this.#segs = b.segs.map((s) => ({ buf: s.buf, start: s.start, end: s.end })).concat(this.#segs);
    this.#count += b.count;
    this.#bytes += b.bytes;
    this.#held += span(b.segs);
  }

  /**
   * Drops the oldest records while there are more than `maxCount` events or the records
   * take more than `maxBytes` (heldBytes), always keeping the newest event. Returns how
   * many events went (removed records go too, uncounted).
   */
  dropOldest(maxCount: number, maxBytes: number): number {
    // mostly removed records (messages redacted while they waited): keep only the live
    // ones, or one old event followed by redacted ones would hold them all
    if (this.#held > maxBytes && this.#held - this.#bytes > this.#held / 2) this.#compact();
    let n = 0;
    while (this.#segs.length > 0 && (this.#count > maxCount || this.#held > maxBytes)) {
      const s = this.#segs[0]!;
      const len = recordLength(s.buf, s.start);
      if (!isRemoved(s.buf, s.start)) {
        if (this.#count === 1) break;
        this.#count--;
        this.#bytes -= len;
        n++;
      }
      this.#held -= len;
      s.start += len;
      if (s.start >= s.end) this.#segs.shift();
    }
    return n;
  }

  /** Copies the live records into one chunk of their own; the removed ones are gone. */
  #compact(): void {
    const out = Buffer.allocUnsafeSlow(this.#bytes);
    let p = 0;
    eachRecord(this.#segs, (buf, off, len) => {
      if (!isRemoved(buf, off)) p += buf.copy(out, p, off, off + len);
    });
    this.#segs = p === 0 ? [] : [{ buf: out, start: 0, end: p }];
    this.#held = p;
  }

  #remove(buf: Buffer, off: number, len: number): void {
    markRemoved(buf, off);
    this.#count--;
    this.#bytes -= len;
  }

  // (the two removals compare bytes in place: a long backlog costs a scan, not a string per event)

  /** Removes the events of `targets` from before `before` (null: all of them). Returns how many. */
  removeTargets(targets: ReadonlySet<string>, before: number | null): number {
    // a few targets (the usual case): bytes compared; many: one decoded string per event
    const few = targets.size <= 8 ? [...targets].map((t) => Buffer.from(t)) : null;
    let n = 0;
    eachRecord(this.#segs, (buf, off, len) => {
      if (isRemoved(buf, off) || (before !== null && recordTime(buf, off) >= before)) return;
      if (few !== null ? !few.some((t) => targetIs(buf, off, t)) : !targets.has(recordTarget(buf, off))) return;
      this.#remove(buf, off, len);
      n++;
    });
    return n;
  }

  /** Removes the event `msgid` of `target`; false if it is not here. */
  removeMessage(target: string, msgid: string): boolean {
    const t = Buffer.from(target);
    const m = Buffer.from(msgid);
    for (const s of this.#segs) {
      for (let off = s.start; off < s.end; ) {
        const len = recordLength(s.buf, off);
        if (!isRemoved(s.buf, off) && keyIs(s.buf, off, t, m)) {
          this.#remove(s.buf, off, len);
          return true;
        }
        off += len;
      }
    }
    return false;
  }

  /** The targets of the events held. */
  targets(): Set<string> {
    const out = new Set<string>();
    eachRecord(this.#segs, (buf, off) => {
      if (!isRemoved(buf, off)) out.add(recordTarget(buf, off));
    });
    return out;
  }
}
