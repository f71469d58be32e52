/**
 * draft/multiline (https://ircv3.net/specs/extensions/multiline): one message made of
 * several lines (a paste, a code block), sent by a client as a `BATCH +id draft/multiline
 * target` of PRIVMSG (or NOTICE) lines and delivered as one batch to clients with the
 * capability, as separate lines to everyone else.
 *
 * One model for the message everywhere else: its text with the lines joined by '\n'
 * (`draft/multiline-concat` lines joined with nothing). That is what history stores (one
 * event, one msgid), what search reads and what REDACT deletes; `partsOf` turns it back
 * into lines that fit for a replay. Live delivery keeps the sender's line composition,
 * only splitting a line that no longer fits once the sender's address is added.
 *
 * The open batch lives on the session (`Session.multiline`) and is bounded by
 * MULTILINE.maxBytes / maxLines; housekeeping drops one that has had no line for
 * MULTILINE.timeoutMs (no timer of its own). Every line still costs a flood token.
 */
import { escapeTagValue, maxTrailingBytes, serializeParts, truncateUtf8, utf8Length } from '../protocol/index.js';
import { Cap, MULTILINE } from './caps.js';
import { Outgoing } from './outgoing.js';
import { addTag, type Session } from './session.js';

/** One line of a multiline message; `concat`: joined to the previous one with no line feed. */
export interface Part {
  text: string;
  concat: boolean;
}

/** A client's batch while it is being received (Session.multiline). */
export interface OpenMultiline {
  /** the client's reference tag */
  id: string;
  target: string;
  /** PRIVMSG or NOTICE, fixed by the first line; null until then */
  command: 'PRIVMSG' | 'NOTICE' | null;
  parts: Part[];
  /** bytes of the combined text so far (line feeds included) */
  bytes: number;
  /** escaped client-only tags of the opening BATCH line */
  clientTags: string;
  /** set after a FAIL: the rest of the batch is dropped silently until its BATCH -id */
  failed: boolean;
  /** server clock: the last line of this batch (the timeout counts from it) */
  lastAt: number;
  /** labeled-response: the opening BATCH's label, answered on the echo's opening line */
  label: string | null;
}

/** The combined text: lines joined by '\n', concat lines joined directly. */
export function combine(parts: readonly Part[]): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    out += i === 0 || p.concat ? p.text : '\n' + p.text;
  }
  return out;
}

/**
 * `text` cut into pieces of at most `room` bytes, each but the first to be concatenated:
 * cut after the last space that fits (the space stays at the end of the piece, as the
 * spec recommends, so nothing is lost when the pieces are joined), mid-word otherwise.
 */
function pieces(text: string, room: number): string[] {
  const max = Math.max(4, room);
  const out: string[] = [];
  let rest = text;
  while (utf8Length(rest) > max) {
    let head = truncateUtf8(rest, max);
    const sp = head.lastIndexOf(' ');
    if (sp > 0) head = head.slice(0, sp + 1);
    out.push(head);
    rest = rest.slice(head.length);
  }
  out.push(rest);
  return out;
}

/** Parts that each fit in `room` bytes: a longer part becomes itself plus concat pieces. */
export function fitParts(parts: readonly Part[], room: number): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const ps = pieces(p.text, room);
    for (let i = 0; i < ps.length; i++) out.push({ text: ps[i]!, concat: i === 0 ? p.concat : true });
  }
  return out;
}

/** A stored combined text back into parts that fit in `room` bytes. */
export function partsOf(text: string, room: number): Part[] {
  return fitParts(
    text.split('\n').map((t) => ({ text: t, concat: false })),
    room,
  );
}

/** True when a stored PRIVMSG/NOTICE text needs more than one line (history replay). */
export function isMultilineText(text: string, room: number): boolean {
  return text.includes('\n') || (text.length * 3 > room && utf8Length(text) > room);
}

/** Bytes that separate the payload room from MAX_BODY_BYTES for one line of `source command target`. */
export function roomFor(source: string, command: string, target: string): number {
  return maxTrailingBytes(source, command, [target]);
}

/**
 * A multiline message on its way to many sessions. It is an Outgoing for everything that
 * reads msgid, time, client tags and account (history, the offline mailbox), whose body
 * is the opening `BATCH +id draft/multiline target` line; what a recipient gets comes
 * from linesFor()/sendTo(), never lineFor() alone (the one-line variants of the opener).
 * Each recipient variant is built once.
 */
export class MultilineOut extends Outgoing {
  readonly source: string;
  readonly command: 'PRIVMSG' | 'NOTICE';
  readonly target: string;
  readonly parts: readonly Part[];
  readonly batchId: string;
  /** the combined text (what is stored) */
  readonly text: string;
  #lines: (readonly string[] | undefined)[] = [];

  constructor(
    source: string,
    command: 'PRIVMSG' | 'NOTICE',
    target: string,
    parts: readonly Part[],
    msgid: string,
    time: number,
    clientTags: string,
    batchId: string,
  ) {
    super(source, 'BATCH', ['+' + batchId, 'draft/multiline', target], msgid, time, clientTags);
    this.source = source;
    this.command = command;
    this.target = target;
    this.parts = parts;
    this.batchId = batchId;
    this.text = combine(parts);
  }

  /** Whether a session with `caps` gets the batch (else the fallback lines). */
  static wantsBatch(caps: number): boolean {
    return (caps & (Cap.multiline | Cap.batch)) === (Cap.multiline | Cap.batch);
  }

  /**
   * The lines for a recipient with `caps`. `outer`: inside another batch (a chathistory
   * replay), whose tag goes on every line that is not inside the multiline batch.
   * `stamp`: text put before the first non-blank line ("[12:03]", replays without server-time).
   */
  linesFor(caps: number, outer: string | null = null, stamp: string | null = null): readonly string[] {
    const multi = MultilineOut.wantsBatch(caps);
    const cacheable = outer === null && stamp === null;
    const v = (multi ? 8 : 0) | ((caps & Cap.serverTime) !== 0 ? 1 : 0) | ((caps & Cap.messageTags) !== 0 ? 2 : 0) | ((caps & Cap.accountTag) !== 0 && this.account !== null ? 4 : 0);
    if (cacheable) {
      const hit = this.#lines[v];
      if (hit !== undefined) return hit;
    }
    const outerTag = outer === null ? '' : 'batch=' + outer;
    const lines: string[] = [];
    let stampDone = stamp === null;
    const textOf = (p: Part): string => {
      if (stampDone || p.text === '') return p.text;
      stampDone = true;
      return truncateUtf8(stampText(p.text, stamp!), roomFor(this.source, this.command, this.target));
    };
    if (multi) {
      const open = this.lineFor(caps);
      lines.push(outer === null ? open : addTag(open, outerTag));
      const inner = 'batch=' + escapeTagValue(this.batchId);
      for (const p of this.parts) {
        lines.push(serializeParts(p.concat ? inner + ';draft/multiline-concat' : inner, this.source, this.command, [this.target, textOf(p)]));
      }
      lines.push(serializeParts(outerTag, this.source, 'BATCH', ['-' + this.batchId]));
    } else {
      // the spec: no blank lines, and msgid (and the batch's tags) on the first line only
      let rest = (v & 1 ? 'time=' + this.isoTime : '') as string;
      if (v & 4) rest += (rest ? ';' : '') + 'account=' + escapeTagValue(this.account!);
      if (outerTag !== '') rest = rest === '' ? outerTag : outerTag + ';' + rest;
      let first = true;
      for (const p of this.parts) {
        if (p.text === '') continue;
        const text = textOf(p);
        if (first) {
          first = false;
          const line = new Outgoing(this.source, this.command, [this.target, text], this.msgid, this.time, this.clientTags);
          line.account = this.account;
          const l = line.lineFor(caps);
          lines.push(outerTag === '' ? l : addTag(l, outerTag));
        } else {
          lines.push(serializeParts(rest, this.source, this.command, [this.target, text]));
        }
      }
    }
    if (cacheable) this.#lines[v] = lines;
    return lines;
  }

  /** Sends the message to `m` as `m` should get it. */
  sendTo(m: Session): void {
    for (const l of this.linesFor(m.caps)) m.send(l);
  }
}

/** Sends `out` to `m`: one line, or a multiline message's lines. */
export function sendOut(m: Session, out: Outgoing): void {
  if (out instanceof MultilineOut) out.sendTo(m);
  else m.send(out.lineFor(m.caps));
}

/** The text with "[time] " put in front (inside an ACTION). */
export function stampText(text: string, stamp: string): string {
  if (text.startsWith('\x01ACTION ')) return '\x01ACTION ' + stamp + ' ' + text.slice(8);
  return stamp + ' ' + text;
}
