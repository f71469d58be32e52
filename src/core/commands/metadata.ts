/**
 * draft/metadata-2 (https://ircv3.net/specs/extensions/metadata), the cheap part: user
 * metadata (avatar, status, display-name, any valid key) held in memory for the life of
 * the connection, with METADATA GET / LIST / SET / CLEAR / SUB / UNSUB / SUBS / SYNC.
 * Channel metadata is not kept: channels answer empty lists, `766` for GET and
 * `KEY_NO_PERMISSION` for SET/CLEAR.
 *
 * Bounds (advertised as maxkey/maxsub): META.maxKeys keys per user, META.maxSubs
 * subscriptions, keys of at most META.maxKeyLength characters, values of at most
 * META.maxValueBytes bytes, and a SYNC of a channel answers at most META.maxSyncLines
 * lines (else 774 ERR_METADATASYNCLATER). A change is told to the users sharing a
 * channel with the owner who negotiated the capability and subscribed to the key (the
 * owner's own other sessions aside). Every SET costs a flood token like any line.
 */
import { utf8Length } from '../../protocol/index.js';
import type { IrcMessage } from '../../protocol/message.js';
import { Cap } from '../caps.js';
import type { Session } from '../session.js';
import type { IrcServer } from '../server.js';
import type { CommandTable } from './types.js';

export const META = { maxKeys: 10, maxSubs: 20, maxKeyLength: 64, maxValueBytes: 300, maxSyncLines: 2000 } as const;

const RPL_KEYVALUE = '761';
const ERR_NOMATCHINGKEY = '766';
const ERR_KEYNOTSET = '768';
const RPL_METADATASUBOK = '770';
const RPL_METADATAUNSUBOK = '771';
const RPL_METADATASUBS = '772';
const ERR_METADATASYNCLATER = '774';

const values = new WeakMap<Session, Map<string, string>>();
const subs = new WeakMap<Session, Set<string>>();

const KEY = /^[a-z0-9_.\-][a-z0-9_.:\-]*$/;

/** Keys are case-insensitive: kept in lower case. Null when not a valid key. */
function validKey(k: string): string | null {
  const key = k.toLowerCase();
  return key.length <= META.maxKeyLength && KEY.test(key) ? key : null;
}

/** A user's metadata value (for tests and other commands). */
export function metadataOf(s: Session, key: string): string | undefined {
  return values.get(s)?.get(key);
}

function fail(s: Session, code: string, ...rest: string[]): void {
  s.serverMessage('FAIL', 'METADATA', code, ...rest);
}

/** Sends what `fill` sends inside a `metadata` batch (when the client has batch). */
function inBatch(s: Session, srv: IrcServer, fill: (send: (line: string) => void) => void): void {
  const id = s.has(Cap.batch) ? srv.nextBatchId() : null;
  const server = srv.config.serverName;
  if (id !== null) s.send(`:${server} BATCH +${id} metadata`);
  fill((line) => s.send(id === null ? line : `@batch=${id} ${line}`));
  if (id !== null) s.send(`:${server} BATCH -${id}`);
}

/** `:server CODE nick params... [:last]` as a string, for lines that go inside a batch. */
function numericLine(s: Session, srv: IrcServer, code: string, params: string[], last: string | null): string {
  return `:${srv.config.serverName} ${code} ${s.nick} ${params.join(' ')}${last === null ? '' : ' :' + last}`;
}

/** CAP ACK of draft/metadata-2: the client's stored metadata, in a batch (none is stored: empty). */
export function metadataWelcome(s: Session, srv: IrcServer): void {
  inBatch(s, srv, () => {});
}

/** Tells the change of `owner`'s `key` to the peers that asked for it. */
function notify(owner: Session, key: string, value: string | null, srv: IrcServer): void {
  const line = `:${owner.source} METADATA ${owner.nick} ${key} *${value === null ? '' : ' :' + value}`;
  const seen = new Set<Session>([owner]);
  for (const ch of owner.channels) {
    for (const m of ch.members.keys()) {
      if (seen.has(m)) continue;
      seen.add(m);
      if (m.has(Cap.metadata) && subs.get(m)?.has(key) === true && !srv.presence.together(m, owner)) m.send(line);
    }
  }
}

function metadata(s: Session, msg: IrcMessage, srv: IrcServer): void {
  const rawTarget = msg.params[0]!;
  const sub = msg.params[1]!.toUpperCase();
  const args = msg.params.slice(2);
  const self = rawTarget === '*' || srv.fold(rawTarget) === s.folded;
  const isChannel = rawTarget.startsWith('#') || rawTarget.startsWith('&');
  const user = self ? s : isChannel ? undefined : srv.findNick(rawTarget);
  const ch = isChannel ? srv.findChannel(rawTarget) : undefined;
  const name = user?.nick ?? ch?.name ?? rawTarget;
  const known = user !== undefined || (ch !== undefined && !ch.hiddenFrom(s));
  switch (sub) {
    case 'SUB':
    case 'UNSUB':
    case 'SUBS':
      subscriptions(s, sub, args, srv);
      return;
    case 'GET':
    case 'LIST':
    case 'SET':
    case 'CLEAR':
    case 'SYNC':
      break;
    default:
      fail(s, 'INVALID_SUBCOMMAND', msg.params[1]!, 'invalid subcommand');
      return;
  }
  if (!known) {
    fail(s, 'INVALID_TARGET', rawTarget, 'invalid metadata target');
    return;
  }
  const map = user === undefined ? undefined : values.get(user);
  switch (sub) {
    case 'GET': {
      if (args.length === 0) {
        s.numeric('461', 'METADATA', 'Not enough parameters');
        return;
      }
      inBatch(s, srv, (send) => {
        for (const k of args.slice(0, META.maxKeys * 2)) {
          const key = validKey(k);
          const v = key === null ? undefined : map?.get(key);
          if (key === null) send(`:${srv.config.serverName} FAIL METADATA INVALID_KEY ${k.includes(' ') || k.startsWith(':') || k === '' ? '*' : k} :invalid key`);
          else if (v === undefined) send(numericLine(s, srv, ERR_NOMATCHINGKEY, [name, key], 'no matching key'));
          else send(numericLine(s, srv, RPL_KEYVALUE, [name, key, '*'], v));
        }
      });
      return;
    }
    case 'LIST':
      inBatch(s, srv, (send) => {
        for (const [k, v] of map ?? []) send(numericLine(s, srv, RPL_KEYVALUE, [name, k, '*'], v));
      });
      return;
    case 'SYNC': {
      const owners = user !== undefined ? [user] : [...ch!.members.keys()];
      const want = subs.get(s);
      const lines: string[] = [];
      for (const o of owners) {
        for (const [k, v] of values.get(o) ?? []) if (want?.has(k) === true) lines.push(`:${srv.config.serverName} METADATA ${o.nick} ${k} * :${v}`);
        if (lines.length > META.maxSyncLines) {
          s.numeric(ERR_METADATASYNCLATER, name, '60');
          return;
        }
      }
      inBatch(s, srv, (send) => lines.forEach(send));
      return;
    }
    case 'SET': {
      const k = args[0];
      if (k === undefined) {
        s.numeric('461', 'METADATA', 'Not enough parameters');
        return;
      }
      const key = validKey(k);
      if (key === null) {
        fail(s, 'INVALID_KEY', k.includes(' ') || k === '' ? '*' : k, 'invalid key');
        return;
      }
      if (user !== s) {
        fail(s, 'KEY_NO_PERMISSION', name, key, 'permission denied');
        return;
      }
      const value = args[1];
      const mine = values.get(s);
      if (value === undefined || value === '') {
        if (mine?.delete(key) !== true) {
          s.numeric(ERR_KEYNOTSET, name, key, 'key not set');
          return;
        }
        s.numeric(RPL_KEYVALUE, name, key, '*');
        notify(s, key, null, srv);
        return;
      }
      if (utf8Length(value) > META.maxValueBytes) {
        fail(s, 'VALUE_INVALID', key, `value longer than ${META.maxValueBytes} bytes`);
        return;
      }
      if (mine?.has(key) !== true && (mine?.size ?? 0) >= META.maxKeys) {
        fail(s, 'LIMIT_REACHED', name, 'metadata limit reached');
        return;
      }
      if (mine === undefined) values.set(s, new Map([[key, value]]));
      else mine.set(key, value);
      s.numeric(RPL_KEYVALUE, name, key, '*', value);
      notify(s, key, value, srv);
      return;
    }
    case 'CLEAR': {
      if (user !== s) {
        fail(s, 'KEY_NO_PERMISSION', name, '*', 'permission denied');
        return;
      }
      const mine = values.get(s);
      values.delete(s);
      inBatch(s, srv, (send) => {
        for (const k of mine?.keys() ?? []) send(numericLine(s, srv, RPL_KEYVALUE, [name, k, '*'], null));
      });
      for (const k of mine?.keys() ?? []) notify(s, k, null, srv);
      return;
    }
  }
}

function subscriptions(s: Session, sub: 'SUB' | 'UNSUB' | 'SUBS', args: string[], srv: IrcServer): void {
  const mine = subs.get(s) ?? new Set<string>();
  if (sub === 'SUBS') {
    if (mine.size > 0) s.numeric(RPL_METADATASUBS, [...mine].join(' '));
    return;
  }
  if (args.length === 0) {
    s.numeric('461', 'METADATA', 'Not enough parameters');
    return;
  }
  const ok: string[] = [];
  for (const k of args) {
    const key = validKey(k);
    if (key === null) {
      fail(s, 'INVALID_KEY', k.includes(' ') || k === '' ? '*' : k, 'invalid key');
      continue;
    }
    if (sub === 'UNSUB') {
      mine.delete(key);
      ok.push(key);
      continue;
    }
    if (!mine.has(key) && mine.size >= META.maxSubs) {
      fail(s, 'TOO_MANY_SUBS', key, 'too many subscriptions');
      break;
    }
    mine.add(key);
    ok.push(key);
  }
  if (mine.size > 0) subs.set(s, mine);
  else subs.delete(s);
  if (ok.length > 0) s.numeric(sub === 'SUB' ? RPL_METADATASUBOK : RPL_METADATAUNSUBOK, ok.join(' '));
}

export const metadataCommands: CommandTable = {
  METADATA: { minParams: 2, handler: metadata },
};
