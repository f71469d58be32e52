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
import { addChunk, findMechanism, MECHANISMS, parsePlain, type SaslExchange } from '../../accounts/sasl.js';
import { HashBusyError, passwordProblem } from '../../accounts/password.js';
import { verifyPasswordOrToken } from '../../accounts/tokens.js';

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
      else saslFail(s); // SCRAM-SHA-256: after milestone 1
  }
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
  // a device token (the browser's) is checked without scrypt: src/accounts/tokens.ts
  verifyPasswordOrToken(srv.accounts, p.authcid, p.password).then(
    (rec) =>
      reply(() => {
        if (s.sasl !== x) return; // aborted (CAP END, AUTHENTICATE *) meanwhile
        s.sasl = null;
        if (rec === null) {
          s.numeric(N.ERR_SASLFAIL, 'SASL authentication failed');
          return;
        }
        if (s.account !== null) {
          s.numeric(N.ERR_SASLALREADY, 'You have already authenticated using SASL');
          return;
        }
        srv.setAccount(s, rec.name);
        s.numeric(N.RPL_SASLSUCCESS, 'SASL authentication successful');
      }),
    (err: unknown) =>
      reply(() => {
        if (s.sasl !== x) return;
        if (!(err instanceof HashBusyError)) throw err;
        saslFail(s);
        s.serverMessage('NOTICE', s.nick, '*** The server is busy checking passwords; try again in a moment');
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
  if (srv.accounts.taken(name)) {
    fail(s, 'REGISTER', 'ACCOUNT_EXISTS', name, `The account ${name} already exists`);
    return;
  }
  const problem = passwordProblem(password, a.minPasswordLength);
  if (problem !== null) {
    fail(s, 'REGISTER', problem.code, name, problem.text);
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
