/**
 * Client-initiated BATCH: draft/multiline only (core/multiline.ts). `BATCH +id
 * draft/multiline target` opens one batch per session, `@batch=id PRIVMSG target :line`
 * adds lines, `BATCH -id` delivers them as one message (commands/messaging.ts relay()).
 * Errors are the spec's FAIL BATCH codes; after one, the rest of that batch is dropped
 * silently until its `BATCH -id`.
 */
import { escapeTagValue, utf8Length } from '../../protocol/index.js';
import type { IrcMessage } from '../../protocol/message.js';
import { Cap, MULTILINE } from '../caps.js';
import { combine, type OpenMultiline } from '../multiline.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { clientTagsOf, relay } from './messaging.js';

const INVALID = 'Invalid multiline batch';

function fail(s: Session, code: string, ...rest: string[]): void {
  s.serverMessage('FAIL', 'BATCH', code, ...rest);
}

/** Drops the open batch after an error; its remaining lines are ignored until BATCH -id. */
function failBatch(s: Session, b: OpenMultiline, code: string, ...rest: string[]): void {
  fail(s, code, ...rest);
  b.failed = true;
  b.parts = [];
}

function batch(s: Session, msg: IrcMessage, srv: IrcServer): void {
  const ref = msg.params[0]!;
  const open = s.multiline;
  if (ref.startsWith('-')) {
    const id = ref.slice(1);
    if (open === null || open.id !== id) {
      fail(s, 'MULTILINE_INVALID', INVALID);
      return;
    }
    s.multiline = null;
    if (open.failed) return;
    if (open.command === null || open.parts.every((p) => p.text === '')) {
      fail(s, 'MULTILINE_INVALID', INVALID);
      return;
    }
    const multi = { parts: open.parts, label: open.label };
    relay(s, srv, open.command, [open.target], combine(open.parts), open.clientTags, multi);
    // labeled, but nothing carried the label (no echo-message, or refused): acknowledge it
    if (multi.label !== null) s.send('@label=' + escapeTagValue(multi.label) + ' :' + srv.config.serverName + ' ACK');
    return;
  }
  if (!ref.startsWith('+') || ref.length < 2) {
    fail(s, 'MULTILINE_INVALID', INVALID);
    return;
  }
  if (!s.has(Cap.multiline) || msg.params[1] !== 'draft/multiline' || msg.params.length !== 3) {
    fail(s, 'MULTILINE_INVALID', INVALID);
    return;
  }
  if (open !== null && !open.failed) {
    // one open batch per session: both are dropped, the newer one's lines ignored
    fail(s, 'MULTILINE_INVALID', 'A multiline batch is already open');
  }
  const target = msg.params[2]!;
  const clientTags = clientTagsOf(msg);
  const bad = clientTags === null || target.includes(',') || target.toLowerCase() === '*playback' || srv.fold(target.split('@', 1)[0]!) === 'nickserv';
  const label = msg.tags?.get('label');
  const labeled = label !== undefined && s.has(Cap.labeledResponse);
  s.multiline = {
    id: ref.slice(1),
    target,
    command: null,
    parts: [],
    bytes: 0,
    clientTags: clientTags ?? '',
    failed: false,
    lastAt: srv.now(),
    label: labeled ? label : null,
  };
  if (bad || (open !== null && !open.failed)) {
    s.multiline.failed = true;
    if (bad) fail(s, 'MULTILINE_INVALID', clientTags === null ? 'Input line was too long' : `Invalid multiline target ${target}`);
    return;
  }
  // labeled: answered when the batch closes (the echo's opening line), not with an ACK now;
  // nothing may be sent after this in this handler (it would join the deferred capture)
  if (labeled) s.defer();
}

/** A `@batch=id` PRIVMSG/NOTICE line (messaging.ts hands it over). */
export function batchLine(s: Session, msg: IrcMessage, srv: IrcServer, command: 'PRIVMSG' | 'NOTICE'): void {
  const b = s.multiline;
  const id = msg.tags!.get('batch')!;
  if (b === null || b.id !== id) {
    fail(s, 'MULTILINE_INVALID', INVALID);
    return;
  }
  if (b.failed) return;
  b.lastAt = srv.now();
  const target = msg.params[0] ?? '';
  const text = msg.params[1] ?? '';
  if (srv.fold(target) !== srv.fold(b.target)) {
    failBatch(s, b, 'MULTILINE_INVALID_TARGET', b.target, target, 'Invalid multiline target');
    return;
  }
  const concat = msg.tags!.has('draft/multiline-concat');
  if ((b.command !== null && b.command !== command) || (concat && (text === '' || b.parts.length === 0))) {
    failBatch(s, b, 'MULTILINE_INVALID', INVALID);
    return;
  }
  b.command = command;
  if (b.parts.length >= MULTILINE.maxLines) {
    failBatch(s, b, 'MULTILINE_MAX_LINES', String(MULTILINE.maxLines), 'Multiline batch max-lines exceeded');
    return;
  }
  const bytes = b.bytes + utf8Length(text) + (concat || b.parts.length === 0 ? 0 : 1);
  if (bytes > MULTILINE.maxBytes) {
    failBatch(s, b, 'MULTILINE_MAX_BYTES', String(MULTILINE.maxBytes), 'Multiline batch max-bytes exceeded');
    return;
  }
  b.bytes = bytes;
  b.parts.push({ text, concat });
}

/** Housekeeping: a batch with no line for MULTILINE.timeoutMs is dropped. */
export function multilineTimeout(s: Session, now: number): void {
  const b = s.multiline;
  if (b === null || now - b.lastAt <= MULTILINE.timeoutMs) return;
  s.multiline = null;
  if (!b.failed) fail(s, 'MULTILINE_INVALID', 'Multiline batch timed out');
}

export const batchCommands: CommandTable = {
  BATCH: { minParams: 1, handler: batch },
};
