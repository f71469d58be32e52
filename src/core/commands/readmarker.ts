/**
 * IRCv3 draft/read-marker (https://ircv3.net/specs/extensions/read-marker): MARKREAD
 * <target> [timestamp=...] gets or sets how far the user has read a channel or a private
 * conversation. For a logged-in user the marker is the account's: kept in its settings
 * (over restarts) and sent to every session of the account that has the capability, so a
 * message read on the phone is read on the laptop. Without an account, per session only.
 * A marker only moves forward; at most READ_MARKERS_MAX targets per account or session.
 */
import { isValidChannelName, isValidNick } from '../../protocol/index.js';
import { Cap } from '../caps.js';
import type { Channel } from '../channel.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';

/** Targets remembered per account (or session); the least recently set goes first. */
export const READ_MARKERS_MAX = 1000;
/** The account setting that holds the markers: folded target -> ms. */
export const READ_MARKERS_SETTING = 'readMarkers';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** The markers of accounts (loaded from their settings on first use) and of sessions without one. */
const byAccount = new WeakMap<IrcServer, Map<string, Map<string, number>>>();
const bySession = new WeakMap<Session, Map<string, number>>();

function markersOf(s: Session, srv: IrcServer): Map<string, number> {
  if (s.account === null) {
    let m = bySession.get(s);
    if (m === undefined) bySession.set(s, (m = new Map()));
    return m;
  }
  let all = byAccount.get(srv);
  if (all === undefined) byAccount.set(srv, (all = new Map()));
  const key = srv.fold(s.account);
  let m = all.get(key);
  if (m === undefined) {
    m = new Map();
    const saved = srv.accounts.get(key)?.settings[READ_MARKERS_SETTING];
    if (saved !== null && typeof saved === 'object') {
      for (const [t, v] of Object.entries(saved as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) m.set(t, v);
    }
    all.set(key, m);
  }
  return m;
}

function line(srv: IrcServer, target: string, time: number | undefined): string {
  return `:${srv.config.serverName} MARKREAD ${target} ${time === undefined ? '*' : 'timestamp=' + new Date(time).toISOString()}`;
}

/** After a JOIN (before RPL_ENDOFNAMES, as the spec asks): where the user had read to. */
export function markReadOnJoin(s: Session, ch: Channel, srv: IrcServer): void {
  if (!s.has(Cap.readMarker)) return;
  s.send(line(srv, ch.name, markersOf(s, srv).get(ch.folded)));
}

function markread(s: Session, msg: { params: string[] }, srv: IrcServer): void {
  const target = msg.params[0]!;
  const fail = (code: string, ...rest: string[]): void => s.serverMessage('FAIL', 'MARKREAD', code, ...rest);
  const max = srv.config.limits;
  if (!isValidChannelName(target, max.channelLength) && !isValidNick(target, max.nickLength)) {
    fail('INVALID_PARAMS', target, 'Invalid target: a channel or a nick');
    return;
  }
  const folded = srv.fold(target);
  const markers = markersOf(s, srv);
  const ref = msg.params[1];
  if (ref === undefined) {
    s.send(line(srv, target, markers.get(folded)));
    return;
  }
  const v = ref.startsWith('timestamp=') ? ref.slice(10) : '';
  const time = ISO.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(time)) {
    fail('INVALID_PARAMS', target, 'Invalid timestamp: expected timestamp=YYYY-MM-DDThh:mm:ss.sssZ');
    return;
  }
  const old = markers.get(folded);
  // only forward: an older marker (a device that was offline) changes nothing
  const moved = old === undefined || time > old;
  if (moved) {
    markers.delete(folded); // re-insert: most recently set last
    markers.set(folded, time);
    while (markers.size > READ_MARKERS_MAX) markers.delete(markers.keys().next().value!);
    if (s.account !== null) save(srv, s.account, markers);
  }
  const now = line(srv, target, markers.get(folded));
  // the user's every session with the capability hears where it stands now
  s.send(now);
  const p = moved ? srv.presence.of(s) : undefined;
  if (p !== undefined) for (const m of p.sessions) if (m !== s && m.registered && m.has(Cap.readMarker)) m.send(now);
}

/** A dropped account's markers go with it (a new owner of the name starts afresh). */
export function forgetReadMarkers(srv: IrcServer, folded: string): void {
  byAccount.get(srv)?.delete(folded);
}

function save(srv: IrcServer, account: string, markers: Map<string, number>): void {
  const snapshot = Object.fromEntries(markers);
  srv.accounts
    .update(account, (r) => ({ ...r, settings: { ...r.settings, [READ_MARKERS_SETTING]: snapshot } }))
    .catch((err: unknown) => srv.logger.warn({ err, account }, 'could not save read markers'));
}

export const readMarkerCommands: CommandTable = {
  MARKREAD: { minParams: 1, handler: markread },
};
