/**
 * History events as bytes: how History's write-behind buffer (src/core/history-buffer.ts)
 * holds what it has not committed yet, and how a batch crosses to the SQLite write
 * thread (one transferred ArrayBuffer, no structured clone of objects).
 *
 * Why bytes: under a saturated core the writer can take seconds per commit, and
 * everything recorded meanwhile waits. Held as objects (the event, its params array,
 * the input line its text was sliced from: ~290 B a message) it survives scavenges and
 * reaches V8's old generation, so every scavenge copies it and mark-compacts follow
 * (docs/performance.md, tenth and eleventh passes). Held as bytes off the V8 heap, the
 * message's objects die young and the collector never looks at the backlog.
 *
 * One record, little-endian:
 *   u32 length of the whole record | u8 flags (1 = removed) | u8 0 | u16 number of params
 *   f64 time | strings: target, msgid, command, source, tags, then each param,
 *   each as u32 byte length + UTF-8 bytes.
 */
import type { HistoryCommand, NewEvent } from './types.js';

const HEAD = 16;
export const REMOVED = 1;

/** An upper bound on the bytes encodeEvent writes (UTF-8 takes at most 3 bytes per UTF-16 unit). */
export function maxEncodedSize(target: string, msgid: string, command: string, source: string, tags: string, params: readonly string[]): number {
  let n = HEAD + 20 + 3 * (target.length + msgid.length + command.length + source.length + tags.length);
  for (const p of params) n += 4 + 3 * p.length;
  return n;
}

/** The exact size of `e`'s record: what the buffer's byte bound counts. */
export function encodedSize(e: NewEvent): number {
  let n = HEAD + 20 + Buffer.byteLength(e.target) + Buffer.byteLength(e.msgid) + Buffer.byteLength(e.command) + Buffer.byteLength(e.source) + Buffer.byteLength(e.tags);
  for (const p of e.params) n += 4 + Buffer.byteLength(p);
  return n;
}

function putString(buf: Buffer, off: number, s: string): number {
  const n = s.length === 0 ? 0 : buf.write(s, off + 4, 'utf8');
  buf.writeUInt32LE(n, off);
  return off + 4 + n;
}

/**
 * Writes one record at `off`; `buf` must have maxEncodedSize(...) bytes free there.
 * Returns the record's end.
 */
export function encodeEvent(
  buf: Buffer,
  off: number,
  target: string,
  msgid: string,
  time: number,
  command: string,
  source: string,
  params: readonly string[],
  tags: string,
): number {
  buf[off + 4] = 0;
  buf[off + 5] = 0;
  buf.writeUInt16LE(params.length, off + 6);
  buf.writeDoubleLE(time, off + 8);
  let p = putString(buf, off + HEAD, target);
  p = putString(buf, p, msgid);
  p = putString(buf, p, command);
  p = putString(buf, p, source);
  p = putString(buf, p, tags);
  for (const s of params) p = putString(buf, p, s);
  buf.writeUInt32LE(p - off, off);
  return p;
}

export const recordLength = (buf: Buffer, off: number): number => buf.readUInt32LE(off);
export const isRemoved = (buf: Buffer, off: number): boolean => (buf[off + 4]! & REMOVED) !== 0;
export const markRemoved = (buf: Buffer, off: number): void => void (buf[off + 4] = buf[off + 4]! | REMOVED);
export const recordTime = (buf: Buffer, off: number): number => buf.readDoubleLE(off + 8);

function getString(buf: Buffer, off: number): [string, number] {
  const n = buf.readUInt32LE(off);
  return [n === 0 ? '' : buf.toString('utf8', off + 4, off + 4 + n), off + 4 + n];
}

/** The record's target (the first string). */
export const recordTarget = (buf: Buffer, off: number): string => getString(buf, off + HEAD)[0];

/** Whether the string at `at` is `want` (UTF-8): compared in place, nothing decoded. */
function stringIs(buf: Buffer, at: number, want: Buffer): boolean {
  const n = buf.readUInt32LE(at);
  return n === want.length && buf.compare(want, 0, n, at + 4, at + 4 + n) === 0;
}

/** Whether the record's target is `target` (UTF-8 bytes). */
export const targetIs = (buf: Buffer, off: number, target: Buffer): boolean => stringIs(buf, off + HEAD, target);

/** Whether the record is `target`'s event `msgid` (both UTF-8 bytes). */
export function keyIs(buf: Buffer, off: number, target: Buffer, msgid: Buffer): boolean {
  return stringIs(buf, off + HEAD, target) && stringIs(buf, off + HEAD + 4 + buf.readUInt32LE(off + HEAD), msgid);
}

/** Decodes the record at `off`. */
export function decodeEvent(buf: Buffer, off: number): NewEvent {
  const np = buf.readUInt16LE(off + 6);
  const time = buf.readDoubleLE(off + 8);
  const [target, a] = getString(buf, off + HEAD);
  const [msgid, b] = getString(buf, a);
  const [command, c] = getString(buf, b);
  const [source, d] = getString(buf, c);
  let [tags, p] = getString(buf, d);
  const params: string[] = new Array<string>(np);
  for (let i = 0; i < np; i++) [params[i], p] = getString(buf, p);
  return { target, msgid, time, command: command as HistoryCommand, source, params, tags };
}

/**
 * Decodes every record of `bytes` that is not removed, in order. Throws on a truncated
 * or inconsistent record: a batch is all or nothing.
 */
export function decodeEvents(bytes: Uint8Array): NewEvent[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: NewEvent[] = [];
  let off = 0;
  while (off < buf.length) {
    const len = off + HEAD <= buf.length ? recordLength(buf, off) : 0;
    if (len < HEAD + 20 || off + len > buf.length) throw new Error(`a malformed history batch (record at ${off})`);
    if (!isRemoved(buf, off)) out.push(decodeEvent(buf, off));
    off += len;
  }
  return out;
}
