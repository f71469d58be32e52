/**
 * SCRAM-SHA-256 server side (RFC 5802, RFC 7677), without channel binding. The server
 * holds only StoredKey and ServerKey (AccountCredentials.scramSha256): checking a
 * proof is two HMACs and a hash, so it runs inline; the PBKDF2 work is the client's.
 *
 *   client-first  n,[a=authzid],n=user,r=cnonce
 *   server-first  r=cnonce+snonce,s=salt,i=iterations
 *   client-final  c=biws,r=cnonce+snonce,p=proof
 *   server-final  v=ServerSignature
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountRecord } from '../storage/types.js';
import { hmac, sha256 } from './password.js';

export interface ScramServer {
  /** the name given in client-first */
  name: string;
  /** its account; null = unknown (the exchange fails at the end, like a wrong password) */
  record: AccountRecord | null;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  gs2Header: string;
}

/** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is malformed. */
function unescapeName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replaceAll('=2C', ',').replaceAll('=3D', '=');
}

/** A per-process secret so an unknown name gets a stable, plausible salt (no enumeration). */
const FAKE_SALT_KEY = randomBytes(32);

/**
 * Parses client-first and builds server-first. `lookup` finds the account by name; an
 * authzid other than that account is refused. Null = malformed (or refused).
 */
export function scramStart(clientFirst: string, lookup: (name: string) => AccountRecord | undefined, fold: (s: string) => string): { state: ScramServer; serverFirst: string } | null {
  // gs2-header: cbind flag ("n" or "y": no channel binding here; "p=" is refused), authzid
  const m = /^([ny]),(a=[^,]*)?,(n=([^,]*),r=([\x21-\x2b\x2d-\x7e]+)(?:,.*)?)$/.exec(clientFirst);
  if (m === null) return null;
  const name = unescapeName(m[4]!);
  if (name === null || name === '') return null;
  if (m[2] !== undefined) {
    const authz = unescapeName(m[2].slice(2));
    if (authz === null || (authz !== '' && fold(authz) !== fold(name))) return null;
  }
  const record = lookup(name) ?? null;
  const nonce = m[5]! + randomBytes(18).toString('base64');
  const salt = record?.credentials.scramSha256.salt ?? createHmac('sha256', FAKE_SALT_KEY).update(fold(name)).digest().subarray(0, 16).toString('base64');
  const iterations = record?.credentials.scramSha256.iterations ?? 4096;
  const serverFirst = `r=${nonce},s=${salt},i=${iterations}`;
  const gs2Header = `${m[1]!},${m[2] ?? ''},`;
  return { state: { name, record, clientFirstBare: m[3]!, serverFirst, nonce, gs2Header }, serverFirst };
}

/** Checks client-final; the server-final message on success, null on any failure. */
export function scramFinish(st: ScramServer, clientFinal: string): string | null {
  const m = /^(c=([^,]*),r=([^,]*)(?:,(?!p=)[^,]*)*),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
  if (m === null || st.record === null) return null;
  if (m[2] !== Buffer.from(st.gs2Header).toString('base64') || m[3] !== st.nonce) return null;
  const authMessage = `${st.clientFirstBare},${st.serverFirst},${m[1]!}`;
  const cred = st.record.credentials.scramSha256;
  const storedKey = Buffer.from(cred.storedKey, 'base64');
  const proof = Buffer.from(m[4]!, 'base64');
  const signature = hmac(storedKey, authMessage);
  if (proof.length !== signature.length) return null;
  const clientKey = Buffer.alloc(proof.length);
  for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
  const check = sha256(clientKey);
  if (check.length !== storedKey.length || !timingSafeEqual(check, storedKey)) return null;
  return 'v=' + hmac(Buffer.from(cred.serverKey, 'base64'), authMessage).toString('base64');
}
