/**
 * Client side of SASL PLAIN (RFC 4616) with IRCv3 SASL 3.2 framing: the message is
 * base64 in AUTHENTICATE lines of at most 400 characters, and a last line of exactly 400
 * is followed by `+`. Pure (TextEncoder + btoa): used by `tincan chat` and the browser.
 */

export const SASL_CHUNK = 400;
/** A server that never answers AUTHENTICATE must not hold registration: give up after this. */
export const SASL_TIMEOUT_MS = 15_000;

export interface Credentials {
  account: string;
  /** the account's password, or (the browser) a device token */
  password: string;
}

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The AUTHENTICATE parameters carrying `authzid NUL authcid NUL password` (authzid = account). */
export function plainAuthenticateLines(c: Credentials): string[] {
  const b64 = base64(new TextEncoder().encode(`${c.account}\0${c.account}\0${c.password}`));
  const out: string[] = [];
  for (let i = 0; i < b64.length; i += SASL_CHUNK) out.push(b64.slice(i, i + SASL_CHUNK));
  if (b64.length % SASL_CHUNK === 0) out.push('+');
  return out;
}

/** The sasl cap value (`PLAIN,SCRAM-SHA-256`, or empty: unspecified) allows PLAIN. */
export function offersPlain(capValue: string): boolean {
  return capValue === '' || capValue.toUpperCase().split(',').includes('PLAIN');
}
