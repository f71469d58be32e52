/**
 * draft/multiline, sending side (https://ircv3.net/specs/extensions/multiline): typed or
 * pasted text with line breaks becomes the lines of one BATCH, each at most one IRC
 * line (a longer line is cut into pieces joined again with draft/multiline-concat, the
 * cut after a space so nothing is lost), and the batch within the server's max-bytes and
 * max-lines (more text: more batches, each a message of its own). Pure.
 * Receiving is irc-client.ts (#multiLine): the lines joined with "\n".
 */
import { utf8Length } from '../../protocol/index.js';

export interface MultilinePart {
  text: string;
  /** joined to the previous part with nothing (not a new line) */
  concat: boolean;
}

/** Pieces of one line of at most `max` UTF-8 bytes; a cut goes after the last space that fits (kept). */
export function concatPieces(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (utf8Length(rest) > max) {
    // the longest prefix that fits, by code points
    let end = 0;
    let bytes = 0;
    for (const ch of rest) {
      const b = utf8Length(ch);
      if (bytes + b > max) break;
      bytes += b;
      end += ch.length;
    }
    if (end === 0) end = rest.codePointAt(0)! > 0xffff ? 2 : 1;
    const sp = rest.lastIndexOf(' ', end - 1);
    const cut = sp > 0 ? sp + 1 : end;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

/**
 * Text -> the batches to send: lines (blank ones inside kept, leading and trailing ones
 * dropped), long lines in concat pieces of at most `lineBytes`, every batch within
 * `maxBytes` (its texts, plus one per line break) and `maxLines`.
 */
export function multilineBatches(text: string, lineBytes: number, maxBytes: number, maxLines: number): MultilinePart[][] {
  const lines = text.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const per = Math.max(1, Math.min(lineBytes, maxBytes));
  const batches: MultilinePart[][] = [];
  let cur: MultilinePart[] = [];
  let bytes = 0;
  for (const line of lines) {
    const pieces = concatPieces(line, per);
    pieces.forEach((piece, i) => {
      const cost = utf8Length(piece) + (cur.length > 0 && i === 0 ? 1 : 0);
      if (cur.length > 0 && (cur.length >= maxLines || bytes + cost > maxBytes)) {
        batches.push(cur);
        cur = [];
        bytes = 0;
      }
      // a batch never starts with a concat piece
      cur.push({ text: piece, concat: i > 0 && cur.length > 0 });
      bytes += utf8Length(piece) + (cur.length > 1 && i === 0 ? 1 : 0);
    });
  }
  if (cur.length > 0) batches.push(cur);
  // a batch of blank lines only is refused by the spec: none is sent
  return batches.filter((b) => b.some((x) => x.text.trim() !== ''));
}
