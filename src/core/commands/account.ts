/**
 * Accounts on the wire: SASL (AUTHENTICATE, PLAIN and SCRAM-SHA-256) and IRCv3
 * draft/account-registration (REGISTER, VERIFY). Password work runs in the thread pool
 * (src/accounts/password.ts); replies come through Session.defer() and re-check the
 * session's state when the answer arrives. Logging in goes through server.setAccount().
 */
import * as N from '../../protocol/numerics.js';
import { isValidNick } from '../../protocol/index.js';
import { Cap } from '../caps.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { addChunk, chunksOf, decodeUtf8, findMechanism, MECHANISMS, parsePlain, type SaslExchange } from '../../accounts/sasl.js';
import { passwordProblem } from '../../accounts/password.js';
import { isReservedAccountName } from '../../accounts/services.js';
import { scramFinish, scramStart } from '../../accounts/scram.js';
import { loginFailureText, loginGate, loginSucceeded, passwordLogin, registrationAllowed, type LoginResult } from '../../accounts/login.js';

// ---- SASL -------------------------------------------------------------------------------

function saslFail(s: Session): void {
  s.sasl = null;
  s.numeric(N.ERR_SASLFAIL, 'SASL authentication failed');
}

/** CAP END (or anything else that ends the exchange) while SASL is unfinished: 906. */
export function abortSasl(s: Session): void {
  if (s.sasl === null) return;
  s.sasl = null;
  s.numeric(N.ERR_SASLABORTED, 'SASL authentication aborted');
}

function authenticate(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const arg = msg.params[0]!;
  if (!srv.config.accounts.enabled || !s.has(Cap.sasl)) {
    saslFail(s);
    return;
  }
  if (arg === '*') {
    // an abort with nothing in progress is answered the same way: the client is told
    s.sasl = null;
    s.numeric(N.ERR_SASLABORTED, 'SASL authentication aborted');
    return;
  }
  const x = s.sasl;
  if (x === null) {
    if (s.account !== null) {
      s.numeric(N.ERR_SASLALREADY, 'You have already authenticated using SASL');
      return;
    }
    const mech = findMechanism(arg);
    if (mech === undefined) {
      s.numeric(N.RPL_SASLMECHS, MECHANISMS.join(','), 'are available SASL mechanisms');
      saslFail(s);
      return;
    }
    s.sasl = { mechanism: mech, buf: '', phase: 'data', scram: null };
    s.send('AUTHENTICATE +');
    return;
  }
  if (x.phase === 'checking') {
    // the client must wait for the answer; talking over it ends the exchange
    saslFail(s);
    return;
  }
  const r = addChunk(x, arg);
  switch (r.kind) {
    case 'more':
      return;
    case 'too-long':
      s.sasl = null;
      s.numeric(N.ERR_SASLTOOLONG, 'SASL message too long');
      return;
    case 'bad':
      saslFail(s);
      return;
    case 'message':
      if (x.mechanism === 'PLAIN') plain(s, x, r.data, srv);
      else scram(s, x, r.data, srv);
  }
}

function sendChallenge(s: Session, data: string): void {
  for (const c of chunksOf(Buffer.from(data))) s.send('AUTHENTICATE ' + c);
}

/** A wrong password or proof: 904, plus a NOTICE when the throttle or the hash queue said no. */
function loginFailed(s: Session, r: Exclude<LoginResult, { ok: true }>): void {
  saslFail(s);
  if (r.reason !== 'wrong') s.serverMessage('NOTICE', s.nick, '*** ' + loginFailureText(r));
}

function loggedIn(s: Session, srv: IrcServer, name: string, tokenId: string | null = null): void {
  s.sasl = null;
  if (s.account !== null) {
    s.numeric(N.ERR_SASLALREADY, 'You have already authenticated using SASL');
    return;
  }
  srv.setAccount(s, name, tokenId);
  s.numeric(N.RPL_SASLSUCCESS, 'SASL authentication successful');
}

function scram(s: Session, x: SaslExchange, data: Buffer, srv: IrcServer): void {
  const text = decodeUtf8(data);
  if (text === null) {
    saslFail(s);
    return;
  }
  if (x.phase === 'final') {
    // the client accepted our server-final (its empty response): done
    const st = x.scram!;
    if (text !== '' || st.record === null) saslFail(s);
    else loggedIn(s, srv, st.record.name);
    return;
  }
  if (x.scram === null) {
    const started = scramStart(text, (n) => srv.accounts.get(n), srv.fold);
    if (started === null) {
      saslFail(s);
      return;
    }
    const wait = loginGate(s, srv, started.state.name);
    if (wait > 0) {
      loginFailed(s, { ok: false, reason: 'wait', seconds: Math.ceil(wait / 1000) });
      return;
    }
    x.scram = started.state;
    sendChallenge(s, started.serverFirst);
    return;
  }
  const final = scramFinish(x.scram, text);
  if (final === null) {
    s.log.info({ account: x.scram.name }, 'failed login');
    saslFail(s);
    return;
  }
  loginSucceeded(s, srv, x.scram.name);
  x.phase = 'final';
  sendChallenge(s, final);
}

function plain(s: Session, x: SaslExchange, data: Buffer, srv: IrcServer): void {
  const p = parsePlain(data);
  // authzid: only "act as myself" (empty or the same account) is supported
  if (p === null || (p.authzid !== '' && srv.fold(p.authzid) !== srv.fold(p.authcid))) {
    saslFail(s);
    return;
  }
  x.phase = 'checking';
  const reply = s.defer();
  passwordLogin(s, srv, p.authcid, p.password, (r) =>
    reply(() => {
      if (s.sasl !== x) return; // aborted (CAP END, AUTHENTICATE *) meanwhile
      if (r.ok) loggedIn(s, srv, r.record.name, r.tokenId);
      else loginFailed(s, r);
    }),
  );
}

// ---- PASS account:password ------------------------------------------------------------

/**
 * PASS when the server has no password of its own: `account:password` logs in (for
 * clients with no SASL). Registration waits for the answer; a wrong password gets a
 * NOTICE and the connection carries on, not logged in. Anything else is ignored, as
 * before. With a server password set, PASS is that password only (log in with SASL or
 * NickServ then).
 */
export function passLogin(s: Session, arg: string, srv: IrcServer): void {
  const i = arg.indexOf(':');
  if (i <= 0 || !srv.config.accounts.enabled || s.account !== null || s.loginPending) return;
  const account = arg.slice(0, i);
  s.loginPending = true;
  const reply = s.defer();
  passwordLogin(s, srv, account, arg.slice(i + 1), (r) =>
    reply(() => {
      s.loginPending = false;
      if (r.ok) {
        if (s.account === null) srv.setAccount(s, r.record.name, r.tokenId);
      } else s.serverMessage('NOTICE', s.nick, '*** Login failed: ' + loginFailureText(r));
      srv.tryRegister(s);
    }),
  );
}

// ---- draft/account-registration -------------------------------------------------------

function fail(s: Session, cmd: string, code: string, ...rest: string[]): void {
  s.serverMessage('FAIL', cmd, code, ...rest);
}

function register(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const [acctArg, , password] = msg.params as [string, string, string];
  const a = srv.config.accounts;
  const name = acctArg === '*' ? s.nick : acctArg;
  if (!a.enabled || !a.registration) {
    fail(s, 'REGISTER', 'TEMPORARILY_UNAVAILABLE', name, 'Registration is disabled on this server');
    return;
  }
  if (s.account !== null) {
    fail(s, 'REGISTER', 'ALREADY_AUTHENTICATED', s.account, `You are already logged in as ${s.account}`);
    return;
  }
  if (s.folded === '') {
    fail(s, 'REGISTER', 'NEED_NICK', '*', 'Send NICK first: the account is named after your nick');
    return;
  }
  // REGISTER must not get around the server password
  if (!s.passOk) {
    fail(s, 'REGISTER', 'TEMPORARILY_UNAVAILABLE', name, 'Send the server password (PASS) first');
    return;
  }
  if (srv.fold(name) !== s.folded) {
    fail(s, 'REGISTER', 'ACCOUNT_NAME_MUST_BE_NICK', name, `The account name must be your current nick (${s.nick})`);
    return;
  }
  if (!isValidNick(name, srv.config.limits.nickLength)) {
    fail(s, 'REGISTER', 'BAD_ACCOUNT_NAME', name, 'That is not a valid account name');
    return;
  }
  if (isReservedAccountName(name, srv.fold)) {
    fail(s, 'REGISTER', 'BAD_ACCOUNT_NAME', name, 'Guest and service names cannot be registered: pick a nick of your own first (/nick NAME)');
    return;
  }
  if (srv.accounts.taken(name)) {
    fail(s, 'REGISTER', 'ACCOUNT_EXISTS', name, `The account ${name} already exists`);
    return;
  }
  const problem = passwordProblem(password, a.minPasswordLength);
  if (problem !== null) {
    fail(s, 'REGISTER', problem.code, name, problem.text);
    return;
  }
  if (!registrationAllowed(s, srv)) {
    fail(s, 'REGISTER', 'TEMPORARILY_UNAVAILABLE', name, 'Too many new accounts from your address; try again later');
    return;
  }
  const reply = s.defer();
  srv.accounts.register(s.nick, password, srv.now(), a.scramIterations).then((r) =>
    reply(() => {
      if (!r.ok) {
        if (r.reason === 'exists') fail(s, 'REGISTER', 'ACCOUNT_EXISTS', name, `The account ${name} already exists`);
        else fail(s, 'REGISTER', 'TEMPORARILY_UNAVAILABLE', name, 'The account could not be saved; try again later');
        return;
      }
      s.log.info({ account: r.record.name }, 'account registered');
      s.serverMessage('REGISTER', 'SUCCESS', r.record.name, `Account ${r.record.name} registered; you are logged in`);
      // logged in (as if by SASL), unless the session logged in elsewhere meanwhile
      if (s.account === null) srv.setAccount(s, r.record.name);
    }),
  );
}

export const accountCommands: CommandTable = {
  AUTHENTICATE: { minParams: 1, preRegistration: true, handler: authenticate },
  REGISTER: { minParams: 3, preRegistration: true, handler: register },
  VERIFY: {
    minParams: 2,
    preRegistration: true,
    // registration never needs verification here (no e-mail): nothing is waiting for a code
    handler: (s, msg) => {
      if (s.account !== null) fail(s, 'VERIFY', 'ALREADY_AUTHENTICATED', s.account, `You are already logged in as ${s.account}`);
      else fail(s, 'VERIFY', 'INVALID_CODE', msg.params[0]!, 'No registration is waiting for a verification code');
    },
  },
};
