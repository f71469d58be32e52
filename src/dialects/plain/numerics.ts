/**
 * IRC numerics as readable text, as data: numeric -> template. `{1}`, `{2}`, `{3}` are
 * the numeric's parameters (cleaned), `{last}` its last one, `{2|?}` a parameter with a
 * default, `{nicklen}` the server's nick length. A template starting with `! ` is an
 * error. A few numerics depend on their parameters: a function from the cleaned values to
 * the text.
 *
 * Numerics that drive state (the welcome, NAMES/WHO/LIST collection, away) are the
 * renderer's (render.ts); anything in neither place is shown as its last parameter.
 */
import * as N from '../../protocol/numerics.js';
import { isChannel } from './text.js';

/** The values a template can use, cleaned for the terminal. */
export interface NumericVars {
  /** parameter i, cleaned ('' when absent) */
  p(i: number): string;
  last: string;
  nicklen: number;
}

export type NumericRule = string | ((v: NumericVars) => string);

export const NUMERIC_TEXT: ReadonlyMap<string, NumericRule> = new Map<string, NumericRule>([
  [N.RPL_NOTOPIC, '* {1} has no topic. /topic TEXT sets one.'],
  [N.RPL_AWAY, '* {1} is away: {last}'],
  [N.RPL_UNAWAY, '* You are back (no longer marked away).'],
  [N.RPL_NOWAWAY, '* You are marked as away. /away again when you are back.'],
  [N.RPL_WHOISUSER, '* {1} is {2}@{3} ({last})'],
  [N.RPL_WHOISCHANNELS, '* {1} is in {last}'],
  [N.RPL_WHOISIDLE, '* {1} has been idle for {2|?} seconds'],
  [N.RPL_WHOISOPERATOR, '* {1} is a server operator'],
  [N.RPL_INVITING, '* You invited {1} to {2}'],
  [N.RPL_YOUREOPER, '* You are now a server operator.'],
  [N.ERR_NICKNAMEINUSE, '! The name {1} is already taken; try another one.'],
  [
    N.ERR_ERRONEUSNICKNAME,
    '! "{1}" can\'t be a name here: use letters, digits and - _ [ ] { } \\ | ^, start with a letter, at most {nicklen} characters.',
  ],
  [N.ERR_NOSUCHNICK, '! There is no one called {1} here.'],
  [
    N.ERR_NOSUCHCHANNEL,
    (v) => (isChannel(v.p(1)) ? `! There is no room called ${v.p(1)}.` : `! "${v.p(1)}" is not a room name; room names start with #.`),
  ],
  [N.ERR_CANNOTSENDTOCHAN, (v) => (/you are muted/.test(v.last) ? `! ${v.last.replace(/^Cannot send( to channel)?: y/, 'Y')}: nobody sees what you write.` : `! You can't talk in ${v.p(1)} right now (it may be moderated, or you are banned).`)],
  // also "Cannot create #x: <why> (LIST)" (the server's room limits): shown as it is
  [
    N.ERR_TOOMANYCHANNELS,
    (v) => (v.last.startsWith('Cannot create') ? `! ${v.last.replace(/ \(LIST\)$/, ' (/rooms)')}` : '! You are in too many rooms; /part one first.'),
  ],
  [N.ERR_NOTONCHANNEL, '! You are not in {1}.'],
  [N.ERR_USERNOTINCHANNEL, '! {1} is not in {2}.'],
  [N.ERR_USERONCHANNEL, '! {1} is already in {2}.'],
  [N.ERR_CHANNELISFULL, '! {1} is full.'],
  [N.ERR_INVITEONLYCHAN, '! {1} is invite-only: ask someone in it to /invite you.'],
  [N.ERR_BANNEDFROMCHAN, (v) => (/an admin banned you/.test(v.last) ? `! You are banned from ${v.p(1)}: ${v.last.replace(/^Cannot join channel: an admin banned you /, '')}.` : `! You are banned from ${v.p(1)}.`)],
  [N.ERR_BADCHANNELKEY, '! {1} needs a key: /join {1} KEY'],
  [N.ERR_CHANOPRIVSNEEDED, (v) => (v.last.startsWith('Only an admin') ? `! ${v.last}.` : `! You need to be an operator of ${v.p(1)} to do that.`)],
  [N.ERR_NOPRIVILEGES, '! Only server operators can do that.'],
  [N.ERR_PASSWDMISMATCH, (v) => (v.last === 'Password incorrect' ? '! Wrong password.' : `! ${v.last}.`)],
  [N.ERR_INPUTTOOLONG, '! That line was too long.'],
  [N.ERR_UNKNOWNCOMMAND, '! Unknown command {1}. Type /help for the list.'],
  [N.ERR_NORECIPIENT, '! Nothing to send.'],
  [N.ERR_NOTEXTTOSEND, '! Nothing to send.'],
  // accounts (/register, /login: plain/account.ts keeps the login state)
  [N.RPL_LOGGEDIN, '* You are now logged in as {2}.'],
  [N.RPL_LOGGEDOUT, '* You are now logged out.'],
  [N.ERR_NICKLOCKED, '! That name belongs to an account: log in first with /login NAME PASSWORD.'],
  [N.ERR_SASLFAIL, '! Login failed: wrong name or password.'],
  [N.ERR_SASLTOOLONG, '! That login was too long.'],
  [N.ERR_SASLABORTED, '! The login was cancelled.'],
  [N.ERR_SASLALREADY, '! You are already logged in.'],
]);

/** Hidden during the registration burst (001-005, LUSERS, MOTD): the welcome says enough. */
export const SUPPRESSED_DURING_WELCOME: ReadonlySet<string> = new Set<string>([
  N.RPL_YOURHOST,
  N.RPL_CREATED,
  N.RPL_MYINFO,
  N.RPL_ISUPPORT,
  N.RPL_LUSERCLIENT,
  N.RPL_LUSEROP,
  N.RPL_LUSERUNKNOWN,
  N.RPL_LUSERCHANNELS,
  N.RPL_LUSERME,
  N.RPL_LOCALUSERS,
  N.RPL_GLOBALUSERS,
  '250',
  N.RPL_MOTDSTART,
  N.RPL_MOTD,
  N.RPL_ENDOFMOTD,
  N.ERR_NOMOTD,
]);

/** Never shown (their information arrives elsewhere or is IRC plumbing). */
export const SILENT: ReadonlySet<string> = new Set<string>([
  N.RPL_TOPICWHOTIME,
  N.RPL_ENDOFWHOIS,
  N.RPL_WHOISSERVER,
  N.RPL_CREATIONTIME,
  N.RPL_ISUPPORT,
  N.RPL_MYINFO,
  N.RPL_ENDOFBANLIST,
  N.RPL_ENDOFINVITELIST,
]);

const SLOT = /\{(\d|last|nicklen)(?:\|([^}]*))?\}/g;

/**
 * The text for one numeric: a template filled in one pass (a parameter containing `{1}`
 * is not filled again), or a function's result.
 * `raw` are the numeric's parameters, `clean` cleans one for the terminal.
 */
export function fillTemplate(rule: NumericRule, raw: readonly string[], clean: (s: string) => string, nicklen: number): string {
  const last = clean(raw[raw.length - 1] ?? '');
  const vars: NumericVars = { p: (i) => clean(raw[i] ?? ''), last, nicklen };
  if (typeof rule !== 'string') return rule(vars);
  return rule.replace(SLOT, (_m, slot: string, dflt: string | undefined) => {
    if (slot === 'last') return last;
    if (slot === 'nicklen') return String(nicklen);
    const v = raw[Number(slot)];
    return v === undefined ? (dflt ?? '') : clean(v);
  });
}
