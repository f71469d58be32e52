/**
 * Accounts for plain users: `/register PASSWORD` and `/login [ACCOUNT] PASSWORD` turned
 * into the server's own REGISTER (draft/account-registration) and SASL PLAIN
 * (AUTHENTICATE), so a netcat user needs no protocol. The adapter asks for the `sasl`
 * capability on the user's behalf when they first log in (after registration: CAP REQ is
 * allowed at any time), and answers `AUTHENTICATE +` with the credentials.
 *
 * The password is held only between `/login` and the server's `AUTHENTICATE +` (one
 * round trip), is never shown back, and goes nowhere but the core. Replies (900-908,
 * FAIL/REGISTER) become readable lines; the texts are in numerics.ts.
 */
import * as N from '../../protocol/numerics.js';
import { chunksOf } from '../../accounts/sasl.js';
import type { PlainState } from './state.js';
import { cleanText } from './text.js';

/** SASL PLAIN (RFC 4616, authzid = authcid) as AUTHENTICATE parameters (SASL 3.2 framing). */
export function saslPlainLines(account: string, password: string): string[] {
  return chunksOf(Buffer.from(`${account}\0${account}\0${password}`, 'utf8'));
}

export interface PlainAccountHost {
  readonly state: PlainState;
  toCore(command: string, params: string[]): void;
  later(fn: () => void): void;
}

type Login = { account: string; password: string; phase: 'cap' | 'mechanism' | 'sent' };

export class PlainAccount {
  readonly #host: PlainAccountHost;
  #saslCap = false;
  #login: Login | null = null;
  /** the REGISTER SUCCESS line said it all: the 900 that follows is not repeated */
  #quietLoggedIn = false;
  /** the account we are logged in as, or null */
  account: string | null = null;

  constructor(host: PlainAccountHost) {
    this.#host = host;
  }

  /** `/register PASSWORD`: the account is named after the current nick. */
  register(password: string): string[] {
    if (this.account !== null) return [`! You are already logged in as ${cleanText(this.account)}.`];
    // guest names are handed out again to newcomers: not something to own
    if (/^guest\d+$/i.test(this.#host.state.nick)) return ['! Pick your name first: /nick NAME, then /register PASSWORD.'];
    this.#host.toCore('REGISTER', ['*', '*', password]);
    return [`* Registering the name ${cleanText(this.#host.state.nick)}...`];
  }

  /** `/login [ACCOUNT] PASSWORD` (ACCOUNT defaults to the current nick). */
  login(account: string, password: string): string[] {
    if (this.account !== null) return [`! You are already logged in as ${cleanText(this.account)}.`];
    if (this.#login !== null) return ['! A login is already under way; wait for its answer.'];
    this.#login = { account, password, phase: this.#saslCap ? 'mechanism' : 'cap' };
    if (this.#saslCap) this.#host.toCore('AUTHENTICATE', ['PLAIN']);
    else this.#host.toCore('CAP', ['REQ', 'sasl']);
    return [`* Logging in as ${cleanText(account)}...`];
  }

  /** CAP ACK/NAK/DEL from the core (the adapter's own requests). */
  cap(p: readonly string[]): string[] {
    const sub = (p[1] ?? '').toUpperCase();
    const caps = (p[p.length - 1] ?? '').split(' ');
    if (!caps.includes('sasl')) return [];
    if (sub === 'ACK') {
      this.#saslCap = true;
      const l = this.#login;
      if (l !== null && l.phase === 'cap') {
        l.phase = 'mechanism';
        this.#host.later(() => this.#host.toCore('AUTHENTICATE', ['PLAIN']));
      }
    } else if (sub === 'NAK' || sub === 'DEL') {
      this.#saslCap = false;
      if (this.#login !== null) {
        this.#login = null;
        return ['! This server does not offer logins (accounts are turned off).'];
      }
    }
    return [];
  }

  /** `AUTHENTICATE +`: the server waits for the credentials. */
  authenticate(p: readonly string[]): string[] {
    const l = this.#login;
    if (p[0] !== '+' || l === null || l.phase !== 'mechanism') return [];
    l.phase = 'sent';
    const lines = saslPlainLines(l.account, l.password);
    l.password = '';
    this.#host.later(() => {
      for (const b of lines) this.#host.toCore('AUTHENTICATE', [b]);
    });
    return [];
  }

  /** 900-908: updates the login state; false when the line is not to be shown. */
  numeric(code: string, p: readonly string[]): boolean {
    if (code === N.RPL_LOGGEDIN) {
      this.account = p[2] ?? null;
      this.#login = null;
      const account = this.account;
      // logged in under another name: take the account's name
      if (account !== null && !this.#host.state.isMe(account)) this.#host.later(() => this.#host.toCore('NICK', [account]));
      if (this.#quietLoggedIn) {
        this.#quietLoggedIn = false;
        return false;
      }
    } else if (code === N.RPL_LOGGEDOUT) {
      this.account = null;
    } else if (code !== N.RPL_SASLMECHS && code !== N.RPL_SASLSUCCESS) {
      // 902, 904-907 end the exchange
      if (this.#login === null && code === N.ERR_SASLABORTED) return false;
      this.#login = null;
    }
    return code !== N.RPL_SASLMECHS && code !== N.RPL_SASLSUCCESS;
  }

  /** FAIL / WARN / NOTE (IRCv3 standard replies) and REGISTER SUCCESS. */
  standardReply(command: string, p: readonly string[]): string[] {
    const text = cleanText(p[p.length - 1] ?? '');
    if (command === 'REGISTER') {
      if ((p[0] ?? '') !== 'SUCCESS') return [];
      this.#quietLoggedIn = true;
      const name = cleanText(p[1] ?? this.#host.state.nick);
      return [`* The name ${name} is yours now, and you are logged in.`, `* Next time, log in with /login ${name} PASSWORD`];
    }
    if (command !== 'FAIL') return [`* ${text}`];
    const [cmd = '', code = '', subject = ''] = p;
    if (cmd === 'REGISTER') {
      const name = cleanText(subject);
      switch (code) {
        case 'ACCOUNT_EXISTS':
          return [`! The name ${name} is already registered.`, `* If it is yours: /login ${name} PASSWORD. If not, pick another: /nick NAME`];
        case 'WEAK_PASSWORD':
        case 'UNACCEPTABLE_PASSWORD':
          return [`! ${text}.`, '* Try /register again with another password.'];
        default:
          return [`! Could not register ${name}: ${text}`];
      }
    }
    return [`! ${text}`];
  }
}
