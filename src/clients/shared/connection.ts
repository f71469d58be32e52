/**
 * The connection half of the client model: one transport at a time, registration (CAP
 * negotiation, PASS, NICK/USER, the nick-in-use fallback), PING, reconnect with capped
 * exponential backoff, and a refused password (464) that waits for the user instead of
 * looping. What the lines mean is the subclass's (irc-client.ts): it gets every message
 * through handle() and is told when a session starts and when it is lost.
 */
import { escapeTagValue, parse, serializeParts, type IrcMessage } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { Emitter } from './emitter.js';
import { Backoff } from './backoff.js';
import { CapNegotiation } from './caps.js';
import { offersPlain, plainAuthenticateLines, SASL_TIMEOUT_MS, type Credentials } from './sasl.js';
import type { LineKind } from './buffer.js';
import type { AuthEvent, ClientEvents, ClientOptions, ConnState, LineTransport } from './client-types.js';

/** One SASL PLAIN exchange: 'cap' (waiting for CAP ACK sasl), 'mech' (for AUTHENTICATE +), 'sent'. */
interface SaslRun {
  creds: Credentials;
  phase: 'cap' | 'mech' | 'sent';
  /** during registration: CAP END follows the answer */
  registering: boolean;
  timer: ReturnType<typeof setTimeout>;
}

export abstract class IrcConnection extends Emitter<ClientEvents> {
  nick: string;
  state: ConnState = 'disconnected';
  /** enabled capabilities */
  readonly caps = new Set<string>();
  /** offered capabilities (name -> value) */
  readonly offered = new Map<string, string>();
  /** sent as PASS on every connect; null: none */
  password: string | null;
  /** the server refused the password (its 464 text): no reconnect until submitPassword() */
  passwordError: string | null = null;
  /** while disconnected with a reconnect planned: when (ms since the epoch) */
  retryAt: number | null = null;
  /** SASL PLAIN on every connect (set by a successful login() or register()); null: none */
  credentials: Credentials | null;
  /** the account we are logged in as (900), null when not */
  account: string | null = null;

  protected readonly opts: ClientOptions;
  /** the nick asked for (the server may give a fallback while registering) */
  protected wantedNick: string;
  readonly #cap: CapNegotiation;
  readonly #backoff: Backoff | null;
  #transport: LineTransport | null = null;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #nickTries = 0;
  #quitting = false;
  #sasl: SaslRun | null = null;
  /** SASL was tried while registering this session (once is enough) */
  #saslTried = false;
  /** the password of a REGISTER in flight: kept as credentials when it succeeds */
  #registering: Credentials | null = null;

  constructor(opts: ClientOptions) {
    super();
    this.opts = opts;
    this.nick = opts.nick;
    this.wantedNick = opts.nick;
    this.password = opts.password ?? null;
    this.credentials = opts.login ?? null;
    this.#cap = new CapNegotiation(this.caps, this.offered, opts.extraCaps);
    this.#cap.sasl = () => this.credentials !== null;
    this.#backoff = opts.reconnect === false ? null : new Backoff(opts.reconnect ?? { minMs: 1000, maxMs: 30000 });
  }

  /** A new session starts: forget per-session state (batches, requests in flight). */
  protected abstract sessionStarted(): void;
  /** The transport is gone (or replaced): nobody is known to be anywhere now. */
  protected abstract sessionLost(): void;
  /** Tells the user about the connection in the server window (and `elsewhere` in the window in view). */
  protected abstract note(text: string, kind: LineKind, elsewhere?: string): void;
  /** Handles one parsed message (public for tests). */
  abstract handle(msg: IrcMessage): void;

  get label(): string {
    return this.opts.serverLabel;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  protected now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  connect(): void {
    if (this.#transport) return;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.retryAt = null;
    this.#quitting = false;
    this.setState('connecting');
    this.#cap.reset();
    this.sessionStarted();
    this.#nickTries = 0;
    this.#endSasl();
    this.#saslTried = false;
    this.#registering = null;
    this.account = null;
    this.nick = this.wantedNick;
    let open = false;
    // a transport replaced by reconnect() may still report: only the current one counts
    let t: LineTransport | null = null;
    const mine = (): boolean => t !== null && this.#transport === t;
    t = this.opts.transport({
      onOpen: () => {
        if (!mine()) return;
        open = true;
        this.setState('registering');
        this.#register();
      },
      onLine: (line) => {
        if (!mine()) return;
        this.emit('wire', 'in', redact(line));
        const r = parse(line);
        if (r.ok) this.handle(r.msg);
      },
      onClose: (err) => {
        if (!mine()) return;
        this.#transport = null;
        // a fatal transport error (a changed TLS certificate): reconnecting would not help
        this.#lost(err ? err.message : open ? 'connection closed' : 'could not connect', (err as { fatal?: boolean } | undefined)?.fatal === true);
      },
    });
    // (transports never call back before the factory returns)
    this.#transport = t;
  }

  #lost(why: string, fatal = false): void {
    this.#endSasl();
    this.account = null;
    this.sessionLost();
    if (this.#quitting) {
      this.setState('closed');
      return;
    }
    if (fatal) {
      this.note(`Disconnected from ${this.label}: ${why}`, 'error');
      this.setState('closed');
      return;
    }
    this.setState('disconnected');
    if (this.passwordError !== null) {
      // the same (or no) password would be refused again: wait for submitPassword()
      this.note(`Disconnected from ${this.label}: ${why}. It wants ${this.password === null ? 'a' : 'another'} password before it lets you in`, 'error');
      return;
    }
    if (!this.#backoff) {
      this.note(`Disconnected from ${this.label}: ${why}`, 'error');
      return;
    }
    const delay = this.#backoff.next();
    this.retryAt = this.now().getTime() + delay;
    this.note(`Disconnected from ${this.label}: ${why}. Reconnecting in ${(delay / 1000).toFixed(1)} s`, 'error', `Disconnected: ${why}. Reconnecting...`);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.connect();
    }, delay);
    this.emit('change');
  }

  /** Skips the wait before a planned reconnect (not while a password is wanted). */
  reconnectNow(): void {
    if (this.#reconnectTimer === null || this.passwordError !== null) return;
    this.connect();
  }

  /** Drops the connection (if any) and connects again at once. */
  reconnect(): void {
    const t = this.#transport;
    if (t !== null) {
      this.#transport = null;
      t.close();
      this.sessionLost();
    }
    this.connect();
  }

  /** Connects again with this server password (after the server refused one, or none). */
  submitPassword(password: string): void {
    this.password = password;
    this.passwordError = null;
    this.#backoff?.reset();
    if (this.state === 'disconnected') this.connect();
    else this.emit('change');
  }

  /** Sends QUIT and stops reconnecting. */
  quit(message = 'Leaving'): void {
    this.#quitting = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    if (this.#transport) {
      this.send('QUIT', message);
      const t = this.#transport;
      setTimeout(() => t.close(), 300);
    } else {
      this.setState('closed');
    }
  }

  /** Drops the connection as if the network failed (reconnect follows). For tests and /reconnect. */
  disconnect(): void {
    this.#transport?.close();
  }

  protected setState(s: ConnState): void {
    this.state = s;
    this.emit('state', s);
    this.emit('change');
  }

  /** Sends one IRC command. The last param gets ':' only when needed. False when not connected. */
  send(command: string, ...params: string[]): boolean {
    const clean = params.map((p) => p.replace(/[\r\n\0]/g, ' '));
    return this.sendLine(serializeParts('', null, command, clean));
  }

  /**
   * Sends one command with tags (`{ '+typing': 'active' }`); values are escaped.
   * Without message-tags the server would drop client tags: those are left out then.
   */
  sendTagged(tags: Readonly<Record<string, string>>, command: string, ...params: string[]): boolean {
    const clean = params.map((p) => p.replace(/[\r\n\0]/g, ' '));
    // (server tags such as batch go as they are; client tags only with message-tags)
    const tagged = this.caps.has('message-tags');
    const t = Object.entries(tags)
      .filter(([k]) => tagged || !k.startsWith('+'))
      .map(([k, v]) => (v === '' ? k : `${k}=${escapeTagValue(v)}`))
      .join(';');
    return this.sendLine(serializeParts(t, null, command, clean));
  }

  /** Sends a ready-made line (for /raw). Returns false when not connected. */
  sendLine(line: string): boolean {
    if (!this.#transport) return false;
    const l = line.replace(/[\r\n\0]/g, ' ');
    this.emit('wire', 'out', redact(l));
    this.#transport.send(l);
    return true;
  }

  #register(): void {
    this.send('CAP', 'LS', '302');
    if (this.password !== null) this.send('PASS', this.password);
    this.send('NICK', this.nick);
    const user = this.opts.user ?? (this.wantedNick.replace(/[^A-Za-z0-9]/g, '').slice(0, 10) || 'tincan');
    this.send('USER', user, '0', '*', this.opts.realname ?? 'tincan chat');
  }

  /**
   * The connection's own messages: PING, CAP, the welcome, a refused nick while
   * registering, a refused password. True when nothing more is to be done with it.
   */
  protected handleConnection(msg: IrcMessage): boolean {
    const p = msg.params;
    switch (msg.command) {
      case 'PING':
        this.send('PONG', ...p);
        return true;
      case 'CAP':
        this.#onCap(p);
        this.emit('change');
        return true;
      case 'AUTHENTICATE':
        this.#onAuthenticate(p[0] ?? '');
        return true;
      case N.RPL_LOGGEDIN:
      case N.RPL_LOGGEDOUT:
      case N.ERR_NICKLOCKED:
      case N.RPL_SASLSUCCESS:
      case N.ERR_SASLFAIL:
      case N.ERR_SASLTOOLONG:
      case N.ERR_SASLABORTED:
      case N.ERR_SASLALREADY:
      case N.RPL_SASLMECHS:
        this.#onSaslNumeric(msg.command, p);
        return true;
      case 'REGISTER':
        if ((p[0] ?? '') !== 'SUCCESS') return false;
        this.#registered(p[1] ?? this.nick, p[p.length - 1] ?? '');
        return true;
      case 'FAIL':
        if (p[0] === 'TOKEN') return this.#tokenReply(msg.command, p);
        if ((p[0] ?? '') !== 'REGISTER') return false;
        this.#registerFailed(p);
        return true;
      case 'NOTE':
        return p[0] === 'TOKEN' ? this.#tokenReply(msg.command, p) : false;
      case N.RPL_WELCOME:
        this.nick = p[0] ?? this.nick;
        this.passwordError = null;
        this.#backoff?.reset();
        this.setState('connected');
        return false;
      case N.ERR_NICKNAMEINUSE:
      case N.ERR_ERRONEUSNICKNAME:
      case N.ERR_NICKCOLLISION: {
        if (this.state !== 'registering') return false;
        this.#nickTries++;
        const base = this.wantedNick.slice(0, 12);
        this.nick = msg.command === N.ERR_ERRONEUSNICKNAME ? `tincan${Math.floor(Math.random() * 1000)}` : this.#nickTries === 1 ? `${base}_` : `${base}${this.#nickTries}`;
        this.note(`Nick ${p[1] ?? this.wantedNick} is taken or invalid; trying ${this.nick}`, 'info');
        this.send('NICK', this.nick);
        return true;
      }
      case N.ERR_PASSWDMISMATCH:
        this.passwordError = p[p.length - 1] || 'Password required';
        this.note(this.password === null ? 'This server needs a password' : 'The server refused the password', 'error');
        this.emit('change');
        return true;
    }
    return false;
  }

  // ---- accounts: SASL PLAIN and REGISTER ------------------------------------------

  /**
   * Logs in with SASL PLAIN now (after registration; CAP REQ sasl first if needed).
   * Returns why it cannot, or null when asked. On success the credentials are kept for
   * the next connect.
   */
  login(account: string, password: string): string | null {
    if (!this.connected) return 'Not connected';
    if (this.account !== null) return `You are already logged in as ${this.account}`;
    if (this.#sasl !== null) return 'A login is already under way';
    if (!this.offered.has('sasl')) return `${this.label} does not offer logins (no sasl capability)`;
    const creds = { account, password };
    if (this.caps.has('sasl')) {
      this.#startSasl(creds, false);
    } else {
      this.#sasl = { creds, phase: 'cap', registering: false, timer: this.#saslTimer() };
      this.send('CAP', 'REQ', 'sasl');
    }
    return null;
  }

  /** Registers the current nick as an account (draft/account-registration). Null when sent. */
  register(password: string): string | null {
    if (!this.connected) return 'Not connected';
    if (this.account !== null) return `You are already logged in as ${this.account}`;
    if (!this.offered.has('draft/account-registration')) return `${this.label} does not offer account registration`;
    this.#registering = { account: this.nick, password };
    this.send('REGISTER', '*', '*', password);
    return null;
  }

  /**
   * Asks tincan for a device token (TOKEN NEW, src/core/commands/token.ts): answered by
   * an 'auth' event token-created (never shown as a line) or token-failed. The browser
   * keeps the token instead of the password. Null when asked.
   */
  requestDeviceToken(label: string): string | null {
    if (!this.connected || this.account === null) return 'Log in first';
    this.send('TOKEN', 'NEW', label);
    return null;
  }

  /** TOKEN REVOKE id: answered by token-revoked or token-failed. */
  revokeDeviceToken(id: string): string | null {
    if (!this.connected || this.account === null) return 'Not logged in';
    this.send('TOKEN', 'REVOKE', id);
    return null;
  }

  /** Forgets the saved credentials (the next connect does not log in). */
  forgetLogin(): void {
    this.credentials = null;
  }

  #onCap(p: readonly string[]): void {
    const registering = this.state === 'registering';
    const sub = (p[1] ?? '').toUpperCase();
    const more = p[2] === '*';
    const list = (more ? p[3] : p[2]) ?? '';
    for (const c of this.#cap.onCap(p, registering)) {
      if (c[0] === 'END' && registering && this.credentials !== null && this.#sasl === null && !this.#saslTried) {
        this.#saslTried = true;
        if (this.caps.has('sasl') && offersPlain(this.offered.get('sasl') ?? '')) {
          // CAP END waits for the login's answer (SASL 3.2)
          this.#startSasl(this.credentials, true);
          continue;
        }
        this.note(
          !this.offered.has('sasl')
            ? `${this.label} does not offer logins (no sasl capability); connecting without logging in as ${this.credentials.account}`
            : this.caps.has('sasl')
              ? `${this.label} does not accept PLAIN logins; connecting without logging in`
              : `${this.label} refused the sasl capability; connecting without logging in`,
          'error',
        );
      }
      this.send('CAP', ...c);
    }
    // a login() waiting for the cap
    const run = this.#sasl;
    if (run === null || run.phase !== 'cap' || !list.split(' ').includes('sasl')) return;
    if (sub === 'ACK') {
      run.phase = 'mech';
      this.send('AUTHENTICATE', 'PLAIN');
    } else if (sub === 'NAK') {
      this.#endSasl();
      this.#auth({ kind: 'login-failed', account: run.creds.account, text: `${this.label} refused the sasl capability: cannot log in` });
    }
  }

  #saslTimer(): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      const run = this.#sasl;
      if (run === null) return;
      this.#endSasl();
      this.send('AUTHENTICATE', '*');
      if (run.registering) this.send('CAP', 'END');
      this.#auth({ kind: 'login-failed', account: run.creds.account, text: `${this.label} did not answer the login in ${SASL_TIMEOUT_MS / 1000} s; continuing without it` });
    }, SASL_TIMEOUT_MS);
    (t as { unref?: () => void }).unref?.();
    return t;
  }

  #startSasl(creds: Credentials, registering: boolean): void {
    this.#sasl = { creds, phase: 'mech', registering, timer: this.#saslTimer() };
    this.send('AUTHENTICATE', 'PLAIN');
  }

  #endSasl(): SaslRun | null {
    const run = this.#sasl;
    if (run !== null) clearTimeout(run.timer);
    this.#sasl = null;
    return run;
  }

  #onAuthenticate(arg: string): void {
    const run = this.#sasl;
    if (run === null || run.phase !== 'mech' || arg !== '+') return;
    run.phase = 'sent';
    for (const chunk of plainAuthenticateLines(run.creds)) this.send('AUTHENTICATE', chunk);
  }

  /** 900-908: the exchange ends on any but 900/908; CAP END follows during registration. */
  #onSaslNumeric(code: string, p: readonly string[]): void {
    const last = p[p.length - 1] ?? '';
    if (code === N.RPL_LOGGEDIN) {
      this.account = p[2] ?? null;
      const run = this.#sasl;
      // what logged us in is what logs in next time
      if (run !== null) this.credentials = run.creds;
      else if (this.#registering !== null && this.account !== null) this.credentials = { ...this.#registering, account: this.account };
      this.#auth({ kind: 'logged-in', account: this.account ?? '', text: `You are logged in as ${this.account ?? '?'}` });
      return;
    }
    if (code === N.RPL_LOGGEDOUT) {
      this.account = null;
      this.#auth({ kind: 'logged-out', account: '', text: 'You are logged out' });
      return;
    }
    if (code === N.RPL_SASLMECHS) return;
    const run = this.#endSasl();
    if (run === null) {
      if (code !== N.RPL_SASLSUCCESS) this.note(last, 'error');
      return;
    }
    if (run.registering) this.send('CAP', 'END');
    if (code === N.RPL_SASLSUCCESS) return;
    const why =
      code === N.ERR_SASLFAIL
        ? `Login as ${run.creds.account} failed: wrong account name or password`
        : code === N.ERR_SASLALREADY
          ? 'You are already logged in'
          : `Login as ${run.creds.account} failed: ${last}`;
    // a saved login the server refuses would be refused again on every reconnect
    if (code === N.ERR_SASLFAIL && this.credentials === run.creds) this.credentials = null;
    this.#auth({ kind: 'login-failed', account: run.creds.account, text: run.registering ? `${why}; connected without logging in` : why });
  }

  #registered(account: string, text: string): void {
    const reg = this.#registering;
    this.#registering = null;
    if (reg !== null) this.credentials = { account, password: reg.password };
    this.#auth({ kind: 'registered', account, text: text || `Account ${account} registered` });
  }

  #registerFailed(p: readonly string[]): void {
    this.#registering = null;
    const code = p[1] ?? '';
    const text = p[p.length - 1] ?? '';
    this.#auth({ kind: 'register-failed', account: p[2] ?? '', text: `Could not register: ${text}`, code });
  }

  /** NOTE/FAIL TOKEN: the token itself goes to the event only, never into a buffer. */
  #tokenReply(command: string, p: readonly string[]): boolean {
    const sub = p[1] ?? '';
    const text = p[p.length - 1] ?? '';
    if (command === 'NOTE' && sub === 'CREATED' && p.length >= 5) {
      const e: AuthEvent = { kind: 'token-created', account: this.account ?? '', text: `This device stays logged in as ${this.account ?? '?'} (token ${p[2] ?? ''})`, token: { id: p[2] ?? '', token: p[3] ?? '' } };
      this.emit('auth', e);
      this.emit('change');
      return true;
    }
    if (command === 'NOTE' && sub === 'REVOKED') {
      this.#auth({ kind: 'token-revoked', account: this.account ?? '', text, token: { id: p[2] ?? '', token: '' } });
      return true;
    }
    if (command === 'FAIL') {
      this.#auth({ kind: 'token-failed', account: this.account ?? '', text, code: sub });
      return true;
    }
    return false; // LIST entries: shown as ordinary NOTE lines
  }

  #auth(e: AuthEvent): void {
    this.note(e.text, e.kind === 'login-failed' || e.kind === 'register-failed' ? 'error' : 'info');
    this.emit('auth', e);
    this.emit('change');
  }
}

/** A line as shown in 'wire' (/raw, the protocol view): credentials replaced by `***`. */
export function redact(line: string): string {
  // in: a device token the server shows once
  if (line.includes(' TOKEN CREATED ')) return line.replace(/^((?:@\S+ )?(?::\S+ )?NOTE TOKEN CREATED \S+ )\S+/, '$1***');
  const m = /^(AUTHENTICATE|REGISTER|PASS) (.*)$/i.exec(line);
  if (m === null) return line;
  const verb = m[1]!.toUpperCase();
  if (verb === 'AUTHENTICATE' && /^(PLAIN|SCRAM-SHA-256|EXTERNAL|\*|\+)$/i.test(m[2]!)) return line;
  if (verb === 'REGISTER') return line.replace(/^(REGISTER \S+ \S+ ).*$/i, '$1***');
  return `${m[1]!} ***`;
}
