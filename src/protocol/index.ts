/**
 * Public surface of the pure IRC protocol core (shared by server and browser client).
 * Re-exports only; no logic here.
 */
export type { IrcMessage, ParseErrorKind, ParseResult } from './message.js';
export { MAX_BODY_BYTES, MAX_TAG_BYTES, MAX_CLIENT_TAG_BYTES, INVALID_UTF8_MARK, utf8Length } from './limits.js';
export { escapeTagValue, unescapeTagValue, serializeTags, parseTags, isValidTagKey } from './tags.js';
export { parse } from './parse.js';
export { serialize, serializeParts, SerializeError, truncateUtf8, maxTrailingBytes } from './serialize.js';
export { type Casemapping, foldCase, casefolder } from './casemap.js';
export { matchMask, compileMask, escapeMask, splitUserhost, normalizeMask } from './mask.js';
export * from './numerics.js';
export { isValidNick, isValidChannelName, isValidUsername, isValidHostname } from './validate.js';
