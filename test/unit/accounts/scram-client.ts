// A SCRAM-SHA-256 client written from RFC 5802 / RFC 7677 for the tests (no library).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

const hmac = (k: Buffer, d: string): Buffer => createHmac('sha256', k).update(d).digest();
const H = (d: Buffer): Buffer => createHash('sha256').update(d).digest();

export class ScramClient {
  readonly nonce: string;
  readonly #user: string;
  readonly #password: string;
  #authMessage = '';
  #saltedPassword: Buffer = Buffer.alloc(0);

  constructor(user: string, password: string, nonce = randomBytes(18).toString('base64')) {
    this.#user = user;
    this.#password = password;
    this.nonce = nonce;
  }

  get bare(): string {
    return `n=${this.#user.replaceAll('=', '=3D').replaceAll(',', '=2C')},r=${this.nonce}`;
  }

  first(): string {
    return 'n,,' + this.bare;
  }

  /** client-final for the server-first message; throws when the server cheats. */
  final(serverFirst: string): string {
    const f = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
    if (!f['r']!.startsWith(this.nonce)) throw new Error('server nonce does not extend ours');
    this.#saltedPassword = pbkdf2Sync(this.#password, Buffer.from(f['s']!, 'base64'), Number(f['i']), 32, 'sha256');
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${f['r']}`;
    this.#authMessage = `${this.bare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(this.#saltedPassword, 'Client Key');
    const sig = hmac(H(clientKey), this.#authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** True when server-final proves the server knows our ServerKey. */
  verify(serverFinal: string): boolean {
    const want = hmac(hmac(this.#saltedPassword, 'Server Key'), this.#authMessage).toString('base64');
    return serverFinal === 'v=' + want;
  }
}
