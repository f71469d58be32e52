/**
 * A raw TCP line client for e2e tests: what netcat would see. `waitFor` resolves on the
 * first received line matching a pattern (or rejects after a timeout, listing what came).
 */
import net from 'node:net';

export class RawClient {
  readonly socket: net.Socket;
  readonly lines: string[] = [];
  #buf = '';
  #waiters: { re: RegExp; from: number; resolve: (l: string) => void }[] = [];
  closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      const parts = (this.#buf + d).split('\n');
      this.#buf = parts.pop()!;
      for (const p of parts) {
        this.lines.push(p.endsWith('\r') ? p.slice(0, -1) : p);
        if (this.#waiters.length > 0) this.#check();
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((r) => socket.once('close', () => r()));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Wraps a socket that is already connected (e.g. a tls.TLSSocket after 'secureConnect'). */
  static fromSocket(s: net.Socket): RawClient {
    return new RawClient(s);
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Resolves with the first line (received from index `from` on) matching `re`. */
  waitFor(re: RegExp, timeoutMs = 5000, from = 0): Promise<string> {
    const found = this.lines.slice(from).find((l) => re.test(l));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        re,
        from,
        resolve: (l: string) => {
          clearTimeout(t);
          resolve(l);
        },
      };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${re}; got:\n${this.lines.slice(-30).join('\n')}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  /** Waits for a line matching `re` that arrives after now. */
  next(re: RegExp, timeoutMs = 5000): Promise<string> {
    return this.waitFor(re, timeoutMs, this.lines.length);
  }

  #check(): void {
    const last = this.lines[this.lines.length - 1]!;
    const idx = this.lines.length - 1;
    for (const w of [...this.#waiters]) {
      if (idx >= w.from && w.re.test(last)) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve(last);
      }
    }
  }

  /** Registers with NICK/USER and waits for 001. */
  /** Registers as `nick`, first requesting `caps` (CAP LS 302 / REQ / END) if any. */
  async register(nick: string, caps: readonly string[] = []): Promise<void> {
    if (caps.length > 0) {
      this.send('CAP LS 302');
      this.send('CAP REQ :' + caps.join(' '));
      this.send('CAP END');
    }
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :${nick}`);
    await this.waitFor(/ 001 /);
    await this.waitFor(/ (376|422) /);
  }

  /**
   * Registers as `nick` logged in to `account` with SASL PLAIN before 001 (requesting
   * `sasl` and `caps`); waits for 903 and 001. A wrong password rejects (904 seen).
   */
  async saslRegister(nick: string, account: string, password: string, caps: readonly string[] = []): Promise<void> {
    const from = this.lines.length;
    this.send('CAP LS 302');
    this.send('CAP REQ :' + ['sasl', ...caps].join(' '));
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :${nick}`);
    this.send('AUTHENTICATE PLAIN');
    await this.waitFor(/^AUTHENTICATE \+$/);
    this.send('AUTHENTICATE ' + Buffer.from(`\0${account}\0${password}`).toString('base64'));
    const got = await this.waitFor(/ 90[34] /, 10_000);
    if (/ 904 /.test(got)) throw new Error(`SASL login of ${account} failed:\n${this.lines.slice(from).join('\n')}`);
    this.send('CAP END');
    await this.waitFor(/ 001 /);
  }

  end(): void {
    this.socket.end();
  }
}
