/**
 * SASL 3.2 framing (https://ircv3.net/specs/extensions/sasl-3.2): a client message is
 * base64 in AUTHENTICATE lines of at most 400 bytes; a line of exactly 400 means more
 * follows, and `+` ends a message whose last line was exactly 400 (or is an empty
 * message). PLAIN (RFC 4616) parsing lives here too; SCRAM in ./scram.ts.
 */
import type { ScramServer } from './scram.js';

export const SASL_CHUNK = 400;
/** Longest client message accepted, in base64 characters (PLAIN needs under 500). */
export const SASL_MAX_B64 = 4 * SASL_CHUNK;
export const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export interface SaslExchange {
  mechanism: Mechanism;
  /** base64 of the client message being assembled */
  buf: string;
  /**
   * 'data': waiting for the client; 'checking': a password check is running; 'final':
   * SCRAM's server-final was sent, the client's empty response completes the login
   */
  phase: 'data' | 'checking' | 'final';
  /** SCRAM-SHA-256 state after the client-first message */
  scram: ScramServer | null;
}

export function findMechanism(name: string): Mechanism | undefined {
  const up = name.toUpperCase();
  return MECHANISMS.find((m) => m === up);
}

/** One AUTHENTICATE data line: 'more' (wait), the whole message, or 'too-long'. */
export function addChunk(x: SaslExchange, chunk: string): { kind: 'more' } | { kind: 'message'; data: Buffer } | { kind: 'too-long' } | { kind: 'bad' } {
  if (chunk.length > SASL_CHUNK) return { kind: 'too-long' };
  if (chunk !== '+') x.buf += chunk;
  if (x.buf.length > SASL_MAX_B64) return { kind: 'too-long' };
  if (chunk.length === SASL_CHUNK) return { kind: 'more' };
  const b64 = x.buf;
  x.buf = '';
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return { kind: 'bad' };
  return { kind: 'message', data: Buffer.from(b64, 'base64') };
}

/** Server data for the client, as AUTHENTICATE parameters (400-byte pieces, '+' as needed). */
export function chunksOf(data: Buffer): string[] {
  const b64 = data.toString('base64');
  if (b64 === '') return ['+'];
  const out: string[] = [];
  for (let i = 0; i < b64.length; i += SASL_CHUNK) out.push(b64.slice(i, i + SASL_CHUNK));
  if (b64.length % SASL_CHUNK === 0) out.push('+');
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}

/** RFC 4616: [authzid] NUL authcid NUL passwd; null when malformed. */
export function parsePlain(data: Buffer): { authzid: string; authcid: string; password: string } | null {
  const text = decodeUtf8(data);
  if (text === null) return null;
  const parts = text.split('\0');
  if (parts.length !== 3 || parts[1] === '' || parts[2] === '') return null;
  return { authzid: parts[0]!, authcid: parts[1]!, password: parts[2]! };
}
