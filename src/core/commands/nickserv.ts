/**
 * NickServ, for IRC clients that know neither SASL nor REGISTER: `/msg NickServ
 * REGISTER|IDENTIFY|GHOST|DROP|SET PASSWORD|HELP`, also as the `NS` and `NICKSERV`
 * commands. It is not a session: PRIVMSG to it is answered here (messaging.ts routes
 * it), WHOIS shows it, its nick is reserved. Replies are NOTICEs from NickServ. What is
 * said to it is never relayed, recorded or logged (it carries passwords).
 */
import * as N from '../../protocol/numerics.js';
import { isValidNick } from '../../protocol/index.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';
import { isReservedAccountName, nickServSource } from '../../accounts/services.js';
import { passwordProblem } from '../../accounts/password.js';
import { loginFailureText, passwordLogin, registrationAllowed } from '../../accounts/login.js';


function say(s: Session, srv: IrcServer, text: string): void {
  s.send(`:${nickServSource(srv.config.serverName)} NOTICE ${s.nick} :${text}`);
}

const HELP = [
  'NickServ keeps your nick yours. Commands:',
  'REGISTER <password>            register your current nick as an account (and log in)',
  'IDENTIFY [account] <password>  log in (the account is your nick if not given)',
  'GHOST <nick> [password]        disconnect a session using your nick',
  'SET PASSWORD <new password>    change your password (logged in)',
  'DROP <password>                delete your account (logged in)',
  'IRC clients can also log in with SASL (PLAIN or SCRAM-SHA-256), or with PASS account:password when connecting.',
];

/** A line said to NickServ (PRIVMSG NickServ, NS, NICKSERV). */
export function nickServ(s: Session, line: string, srv: IrcServer): void {
  const words = line.trim().split(/\s+/);
  const cmd = (words[0] ?? '').toUpperCase();
  const args = words.slice(1);
  if (!srv.config.accounts.enabled) {
    say(s, srv, 'Accounts are disabled on this server.');
    return;
  }
  switch (cmd) {
    case 'REGISTER':
      register(s, args, srv);
      return;
    case 'IDENTIFY':
    case 'LOGIN':
      identify(s, args, srv);
      return;
    case 'GHOST':
    case 'RECOVER':
      ghost(s, args, srv);
      return;
    case 'DROP':
      drop(s, args, srv);
      return;
    case 'SET':
      if ((args[0] ?? '').toUpperCase() === 'PASSWORD' && args.length >= 2) setPassword(s, args.slice(1).join(' '), srv);
      else say(s, srv, 'Usage: SET PASSWORD <new password>');
      return;
    case 'LOGOUT':
      if (s.account === null) say(s, srv, 'You are not logged in.');
      else {
        srv.setAccount(s, null);
        say(s, srv, 'You are now logged out.');
      }
      return;
    case '':
    case 'HELP':
      for (const l of HELP) say(s, srv, l);
      return;
    default:
      say(s, srv, `Unknown command ${cmd}. Send HELP for the list.`);
  }
}

function register(s: Session, args: string[], srv: IrcServer): void {
  const a = srv.config.accounts;
  if (args.length === 0) return say(s, srv, 'Usage: REGISTER <password>');
  if (!a.registration) return say(s, srv, 'Registration is disabled on this server.');
  if (s.account !== null) return say(s, srv, `You are already logged in as ${s.account}.`);
  if (srv.accounts.taken(s.nick)) return say(s, srv, `${s.nick} is already registered. If it is yours: IDENTIFY <password>`);
  if (isReservedAccountName(s.nick, srv.fold) || !isValidNick(s.nick, srv.config.limits.nickLength)) return say(s, srv, `${s.nick} cannot be registered: guest and service names are not for keeping. Pick a nick of your own first (/nick NAME).`);
  // REGISTER <password> [email]: a trailing e-mail (Anope/Atheme habit) is ignored
  const password = args.length >= 2 && args[args.length - 1]!.includes('@') ? args.slice(0, -1).join(' ') : args.join(' ');
  const problem = passwordProblem(password, a.minPasswordLength);
  if (problem !== null) return say(s, srv, problem.text + '.');
  if (!registrationAllowed(s, srv)) return say(s, srv, 'Too many new accounts from your address; try again later.');
  const reply = s.defer();
  const name = s.nick;
  srv.accounts.register(name, password, srv.now(), a.scramIterations).then((r) =>
    reply(() => {
      if (!r.ok) return say(s, srv, r.reason === 'exists' ? `${name} is already registered.` : 'The account could not be saved; try again later.');
      s.log.info({ account: r.record.name }, 'account registered');
      say(s, srv, `${r.record.name} is now registered to you, and you are logged in. Next time: /msg NickServ IDENTIFY <password>`);
      if (s.account === null) srv.setAccount(s, r.record.name);
    }),
  );
}

function identify(s: Session, args: string[], srv: IrcServer): void {
  if (args.length === 0) return say(s, srv, 'Usage: IDENTIFY [account] <password>');
  if (s.account !== null) return say(s, srv, `You are already logged in as ${s.account}.`);
  // IDENTIFY <password> | IDENTIFY <account> <password> (a password may hold spaces:
  // the first word is an account only when it is one)
  const [account, password] = args.length >= 2 && srv.accounts.get(args[0]!) !== undefined ? [args[0]!, args.slice(1).join(' ')] : [s.nick, args.join(' ')];
  const reply = s.defer();
  passwordLogin(s, srv, account, password, (r) =>
    reply(() => {
      if (!r.ok) return say(s, srv, loginFailureText(r) + '.');
      if (s.account !== null) return say(s, srv, `You are already logged in as ${s.account}.`);
      srv.setAccount(s, r.record.name, r.tokenId);
      say(s, srv, `You are now logged in as ${r.record.name}.`);
    }),
  );
}

function ghost(s: Session, args: string[], srv: IrcServer): void {
  const nick = args[0];
  if (nick === undefined) return say(s, srv, 'Usage: GHOST <nick> [password]');
  const kick = (account: string): void => {
    const t = srv.findNick(nick);
    if (t === undefined) return say(s, srv, `${nick} is not online.`);
    if (t === s) return say(s, srv, 'That is you.');
    if (srv.fold(account) !== t.folded) return say(s, srv, `${t.nick} is not your nick.`);
    s.log.info({ target: t.nick }, 'GHOST');
    srv.disconnect(t, 'TINCAN_ERR_KILLED', `GHOST command used by ${s.nick}`);
    say(s, srv, `${nick} has been disconnected; /nick ${nick} is yours.`);
  };
  if (args.length < 2) {
    if (s.account === null) return say(s, srv, 'Log in first (IDENTIFY), or give the password: GHOST <nick> <password>');
    kick(s.account);
    return;
  }
  const reply = s.defer();
  passwordLogin(s, srv, nick, args.slice(1).join(' '), (r) =>
    reply(() => {
      if (!r.ok) return say(s, srv, loginFailureText(r) + '.');
      kick(r.record.name);
    }),
  );
}

function drop(s: Session, args: string[], srv: IrcServer): void {
  const account = s.account;
  if (account === null) return say(s, srv, 'Log in first (IDENTIFY), then DROP <password>.');
  if (args.length === 0) return say(s, srv, 'Usage: DROP <password> (deletes your account)');
  const reply = s.defer();
  passwordLogin(s, srv, account, args.join(' '), (r) => {
    if (!r.ok) return reply(() => say(s, srv, loginFailureText(r) + '.'));
    dropAccount(srv, r.record.name).then(
      () => reply(() => say(s, srv, `The account ${r.record.name} has been deleted.`)),
      (err: unknown) => {
        srv.logger.error({ err, account: r.record.name }, 'DROP failed');
        reply(() => say(s, srv, 'The account could not be deleted; try again later.'));
      },
    );
  });
}

/**
 * Deletes an account: every session logged in to it is logged out (901) at once, the
 * rooms it founded or was named an operator of forget it, then the store deletes it
 * (AccountStore.deleteAccount: with its private history).
 */
export async function dropAccount(srv: IrcServer, name: string): Promise<void> {
  const folded = srv.fold(name);
  const p = srv.accounts.drop(name);
  for (const x of srv.sessions) if (x.account !== null && srv.fold(x.account) === folded) srv.setAccount(x, null);
  // whoever registers the name next must not inherit its rooms
  for (const ch of srv.channels.values()) {
    const founded = ch.founder !== null && srv.fold(ch.founder) === folded;
    if (founded) ch.founder = null;
    if (ch.opAccounts.delete(folded) || founded) srv.history?.channelChanged(ch);
  }
  srv.logger.info({ account: name }, 'account dropped');
  await p;
}

function setPassword(s: Session, password: string, srv: IrcServer): void {
  const account = s.account;
  if (account === null) return say(s, srv, 'Log in first (IDENTIFY).');
  const problem = passwordProblem(password, srv.config.accounts.minPasswordLength);
  if (problem !== null) return say(s, srv, problem.text + '.');
  const reply = s.defer();
  srv.accounts.setPassword(account, password, srv.config.accounts.scramIterations).then(
    (r) => reply(() => say(s, srv, r === null ? 'Your account no longer exists.' : 'Password changed.')),
    () => reply(() => say(s, srv, 'The password could not be changed; try again later.')),
  );
}

/** WHOIS NickServ: it looks like a user, on this server. */
export function whoisService(s: Session, nick: string, srv: IrcServer): boolean {
  if (srv.fold(nick) !== srv.fold('NickServ')) return false;
  s.numeric(N.RPL_WHOISUSER, 'NickServ', 'services', srv.config.serverName, '*', 'Nickname service: /msg NickServ HELP');
  s.numeric(N.RPL_WHOISSERVER, 'NickServ', srv.config.serverName, srv.config.description);
  s.numeric(N.RPL_ENDOFWHOIS, 'NickServ', 'End of /WHOIS list.');
  return true;
}

const nsCommand = { minParams: 1, handler: (s: Session, msg: { params: string[] }, srv: IrcServer) => nickServ(s, msg.params.join(' '), srv) };
export const nickServCommands: CommandTable = { NS: nsCommand, NICKSERV: nsCommand };
