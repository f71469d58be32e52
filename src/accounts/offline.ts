/**
 * Messages wait (docs/accounts.md, "Messages wait"), and private history between accounts.
 *
 * A PRIVMSG/NOTICE to a registered account with no session online is kept in memory per
 * account (bounded per account and per sending address: accounts.offlineMessages*) and,
 * with history on, written under waitingTarget(account) so it survives a restart. When a
 * session of the account is online again (logged in and registered) the messages are
 * replayed to it with their original time and msgid, and deleted from the store.
 *
 * Between two accounts every PRIVMSG/NOTICE is also kept as private history under
 * privateTarget(a, b): CHATHISTORY and SEARCH read it for those two accounts only (the
 * key always includes the asker's own account, so no query can name someone else's
 * conversation). Dropping an account deletes its conversations and waiting messages.
 */
import type { AccountRecord, StoredEvent } from '../storage/types.js';
import { privateParties, privateTarget, waitingTarget } from '../storage/types.js';
import { Cap } from '../core/caps.js';
import type { Outgoing } from '../core/outgoing.js';
import type { IrcServer } from '../core/server.js';
import type { Session } from '../core/session.js';
import { sendEvents } from '../core/history-replay.js';

/** Private conversations read from the store at startup: times 100 (all of them, in practice). */
export const MAX_CONVERSATIONS = 10_000;

/** One change to the waiting messages, as the cluster link carries it between nodes. */
export type MailboxChange = { account: string; keep: Waiting } | { account: string; delivered: number };

export interface Waiting extends StoredEvent {
  /** who sent it, for the per-sender bound: the sending address */
  from: string;
}

export class Mailbox {
  readonly #srv: IrcServer;
  readonly #byAccount = new Map<string, Waiting[]>();
  /**
   * Who each account has a private conversation with (folded names, both directions):
   * read from the store once at startup, kept up to date as messages are recorded, so
   * SEARCH, CHATHISTORY TARGETS and a drop never scan the store for them.
   */
  readonly #partners = new Map<string, Set<string>>();

  /**
   * Told when a message starts waiting here ('keep') or waiting messages were delivered
   * here ('delivered', up to that time): the cluster link tells the other nodes, which
   * share the store, so a login on any node gets them once (src/cluster/core-link.ts).
   */
  onChange: ((change: MailboxChange) => void) | null = null;

  constructor(srv: IrcServer) {
    this.#srv = srv;
  }

  /** A change another node made (the store has it already): applied in memory only. */
  applyRemote(change: MailboxChange): void {
    const key = this.#srv.fold(change.account);
    if ('keep' in change) {
      const list = this.#byAccount.get(key) ?? [];
      // bounded as keep() bounds it; a duplicate (same msgid) is ignored
      if (list.length >= this.#srv.config.accounts.offlineMessagesPerAccount || list.some((w) => w.msgid === change.keep.msgid)) return;
      list.push(change.keep);
      this.#byAccount.set(key, list);
      // the account may be logged in here already (a race with its login): deliver now
      if (this.#srv.presence.ofAccount(key) !== undefined) this.deliver(key);
      return;
    }
    const list = this.#byAccount.get(key);
    if (list === undefined) return;
    const rest = list.filter((w) => w.time > change.delivered);
    if (rest.length === 0) this.#byAccount.delete(key);
    else this.#byAccount.set(key, rest);
  }

  /** Messages waiting for `account` (any case). */
  waiting(account: string): number {
    return this.#byAccount.get(this.#srv.fold(account))?.length ?? 0;
  }

  /** Reads what waited in the history store when the server stopped (serve.ts, before serving). */
  async load(): Promise<number> {
    const h = this.#srv.history;
    if (h === undefined) return 0;
    const max = this.#srv.config.accounts.offlineMessagesPerAccount;
    for (const key of await h.targets('@', MAX_CONVERSATIONS * 100)) {
      const p = privateParties(key);
      if (p !== null) this.#pair(p[0], p[1]);
    }
    let n = 0;
    for (const target of await h.targets('%', 100_000)) {
      const account = target.slice(1);
      if (this.#srv.accounts.get(account) === undefined) continue; // dropped while down
      const events = await h.range({ target, after: null, before: null, from: 'oldest', limit: Math.max(1, max), kinds: 'messages' });
      const list: Waiting[] = events.map((e) => ({ ...e, from: e.source.slice(e.source.lastIndexOf('@') + 1) }));
      if (list.length > 0) this.#byAccount.set(account, list);
      n += list.length;
    }
    return n;
  }

  /** The account a message to `name` should wait for: registered, nobody online; else undefined. */
  recipient(name: string): AccountRecord | undefined {
    if (this.#srv.config.accounts.offlineMessagesPerAccount === 0) return undefined;
    const rec = this.#srv.accounts.get(name);
    // a session still registering counts as offline: it gets them at its 001
    if (rec === undefined || this.#srv.presence.onlineAs(rec.folded) !== undefined) return undefined;
    return rec;
  }

  /**
   * Keeps `out` (from `s`, to account `rec`) until the account logs in, and tells the
   * sender so (unless `quiet`: a NOTICE gets no automatic reply). False when a bound
   * refused it (the sender was told why).
   */
  keep(s: Session, rec: AccountRecord, command: 'PRIVMSG' | 'NOTICE', params: readonly string[], out: Outgoing, quiet: boolean): boolean {
    const srv = this.#srv;
    const a = srv.config.accounts;
    let list = this.#byAccount.get(rec.folded);
    const tell = (text: string): void => {
      if (!quiet) s.serverMessage('NOTICE', s.nick, text);
    };
    if (list !== undefined && list.length >= a.offlineMessagesPerAccount) {
      tell(`*** ${rec.name} is offline and has ${list.length} messages waiting already (the most this server keeps): yours was NOT delivered`);
      return false;
    }
    const from = s.host;
    let mine = 0;
    if (list !== undefined) for (const w of list) if (w.from === from) mine++;
    if (mine >= a.offlineMessagesPerSender) {
      tell(`*** ${rec.name} is offline and ${mine} of your messages wait already (the most one sender may leave): yours was NOT delivered`);
      return false;
    }
    if (list === undefined) this.#byAccount.set(rec.folded, (list = []));
    const w: Waiting = { id: 0, target: waitingTarget(rec.folded), msgid: out.msgid, time: out.time, command, source: s.source, params: [...params], tags: out.clientTags, from };
    list.push(w);
    this.onChange?.({ account: rec.folded, keep: w });
    const promise = `*** ${rec.name} is offline: your message will be delivered when ${rec.name} next logs in`;
    const history = srv.history;
    if (history === undefined) {
      tell(promise + ' (unless the server restarts first: it keeps no history)');
      return true;
    }
    history.recordTarget(waitingTarget(rec.folded), s.source, command, params, out);
    if (quiet) return true;
    // promised only once it is on disk: writes are committed shortly after delivery
    // (docs/history.md), and a restart in between must not lose a message we vouched for
    const reply = s.later();
    // after this handler: what else it records (the private-history copy) goes in the same commit
    void Promise.resolve().then(() => history.flushNow()).then(() =>
      reply(() => s.serverMessage('NOTICE', s.nick, history.failing ? promise + ' (history is paused: it is kept in memory until the store is back)' : promise)),
    );
    return true;
  }

  /** Keeps a message between two accounts as their private history (history on). */
  recordPrivate(from: string, to: string, source: string, command: 'PRIVMSG' | 'NOTICE', params: readonly string[], out: Outgoing): void {
    const srv = this.#srv;
    if (srv.history === undefined) return;
    const a = srv.fold(from);
    const b = srv.fold(to);
    this.#pair(a, b);
    srv.history.recordTarget(privateTarget(a, b), source, command, params, out);
  }

  #pair(a: string, b: string): void {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      let set = this.#partners.get(x);
      if (set === undefined) this.#partners.set(x, (set = new Set()));
      // not capped: a conversation missing here would survive its account's drop
      set.add(y);
    }
  }

  /**
   * The private-history key `s` may read for a conversation with `target` (a nick or
   * account name), or null: not logged in, or `target` is no account. The current
   * holder of the nick decides which account that is; the key always includes `s`'s own.
   */
  conversation(s: Session, target: string): string | null {
    const srv = this.#srv;
    if (s.account === null) return null;
    const t = srv.findNick(target);
    const other = t !== undefined ? t.account : (srv.accounts.get(target)?.name ?? null);
    return other === null ? null : privateTarget(srv.fold(s.account), srv.fold(other));
  }

  /** `account`'s conversations: the other account (folded) -> the private-history key. */
  conversations(account: string): Map<string, string> {
    const a = this.#srv.fold(account);
    const out = new Map<string, string>();
    for (const b of this.#partners.get(a) ?? []) out.set(b, privateTarget(a, b));
    return out;
  }

  /**
   * A session of `account` is online and registered: what waited is replayed to every
   * session of the account, with its original time (a tag, or "[12:03]" in the text for
   * clients that would not show the tag), per sender in a chathistory batch; then it is
   * deleted from the store.
   */
  deliver(account: string): void {
    const srv = this.#srv;
    const key = srv.fold(account);
    const list = this.#byAccount.get(key);
    if (list === undefined) return;
    const p = srv.presence.ofAccount(key);
    const targets = p === undefined ? [] : [...p.sessions].filter((m) => m.registered && !m.closing);
    if (targets.length === 0) return;
    this.#byAccount.delete(key);
    for (const s of targets) replay(s, srv, list);
    const last = list[list.length - 1]!.time;
    this.onChange?.({ account: key, delivered: last });
    srv.history?.deleteTargets([waitingTarget(key)], last + 1).catch((err: unknown) => {
      // not lost: they would come again after a restart
      srv.logger.error({ err, account: key }, 'could not delete delivered offline messages');
    });
  }

  /** An account was dropped: its waiting messages and private conversations go. */
  dropped(folded: string): void {
    const srv = this.#srv;
    this.#byAccount.delete(folded);
    const keys = [...this.conversations(folded).values(), waitingTarget(folded)];
    for (const b of this.#partners.get(folded) ?? []) this.#partners.get(b)?.delete(folded);
    this.#partners.delete(folded);
    const h = srv.history;
    if (h === undefined) return;
    h.deleteTargets(keys, null)
      .catch((err: unknown) => srv.logger.error({ err, account: folded }, 'could not delete the private history of a dropped account'));
  }
}

function replay(s: Session, srv: IrcServer, list: readonly Waiting[]): void {
  const bySender = new Map<string, StoredEvent[]>();
  for (const w of list) {
    const nick = w.source.slice(0, w.source.indexOf('!'));
    let l = bySender.get(nick);
    if (l === undefined) bySender.set(nick, (l = []));
    // addressed to the nick the session has now
    l.push({ id: w.id, target: w.target, msgid: w.msgid, time: w.time, command: w.command, source: w.source, params: [s.nick, ...w.params.slice(1)], tags: w.tags });
  }
  const batch = s.has(Cap.batch);
  const n = list.length;
  if (!batch) s.serverMessage('NOTICE', s.nick, `*** ${n === 1 ? '1 message' : `${n} messages`} arrived while you were away:`);
  // as the JOIN replay: without batch, server-time alone does not mean the time is shown
  const stamp = !s.has(Cap.serverTime) || (!batch && s.conn.showsServerTime !== true);
  for (const [nick, events] of bySender) sendEvents(s, srv, events, 'chathistory', [nick], stamp);
  if (!batch) s.serverMessage('NOTICE', s.nick, '*** End of the messages that waited for you');
}
