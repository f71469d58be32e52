/**
 * Close reasons by code (src/errors.ts): tests assert the code and look the text up, so
 * rewording a message is one edit in the table (test/unit/errors.test.ts pins the texts).
 */
import { closeText, closingLine, type CloseCode } from '../../src/errors.js';

export { closeText, closingLine };

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches the whole `ERROR :Closing link: HOST (TEXT)` line for `code`, any host. */
export function closedBy(code: CloseCode, detail = ''): RegExp {
  return new RegExp(`^ERROR :Closing link: (?:\\S+ )?\\(${escape(closeText(code, detail))}\\)$`);
}

/** Matches a QUIT line relayed to peers for `code`, from `nick`. */
export function quitBy(nick: string, code: CloseCode, detail = ''): RegExp {
  return new RegExp(`:${escape(nick)}!\\S+ QUIT :${escape(closeText(code, detail))}$`);
}
