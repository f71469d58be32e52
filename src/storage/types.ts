/**
 * Storage contracts: what the core needs from a history store, a channel store and an
 * account store, and nothing about how they keep it. Implementations: memory/ (tests, `storage:
 * memory`), sqlite/ (the embedded default). test/contract/ runs one suite against each.
 *
 * Every method returns a Promise so a networked store (PostgreSQL, later) fits the same
 * shape. The embedded stores do their work synchronously inside the call: when
 * `append()` returns, the batch is committed (that is what makes "a client received it
 * => it is on disk" hold, see src/core/history.ts).
 *
 * Targets are casefolded channel names (the core folds them), or the keys below for a
 * private conversation between two accounts and an account's waiting (offline) messages:
 * neither can be a channel name (those start with '#' or '&'). The name as users wrote
 * it is in `params[0]`. Times are milliseconds since the epoch.
 */

/**
 * The target of the private conversation between accounts `a` and `b` (casefolded):
 * '@' and both names in order, space-separated (a nick never holds a space), so it is
 * the same from either side and never a channel.
 */
export function privateTarget(a: string, b: string): string {
  return a <= b ? `@${a} ${b}` : `@${b} ${a}`;
}

/** The two accounts of a privateTarget() key, or null for any other target. */
export function privateParties(target: string): [string, string] | null {
  if (!target.startsWith('@')) return null;
  const sp = target.indexOf(' ');
  return sp < 0 ? null : [target.slice(1, sp), target.slice(sp + 1)];
}

/** Messages waiting for (casefolded) account `a` while it is offline. */
export function waitingTarget(a: string): string {
  return '%' + a;
}

/** Commands kept in history. PRIVMSG and NOTICE are "messages"; the rest are events. */
export type HistoryCommand = 'PRIVMSG' | 'NOTICE' | 'TAGMSG' | 'JOIN' | 'PART' | 'QUIT' | 'KICK' | 'TOPIC' | 'MODE' | 'NICK';

/** One line as it was delivered, minus transport details. */
export interface NewEvent {
  /** casefolded channel name */
  target: string;
  msgid: string;
  time: number;
  command: HistoryCommand;
  /** nick!user@host of the author */
  source: string;
  /** the IRC parameters as delivered, e.g. ['#Room', 'hello'] */
  params: readonly string[];
  /** already escaped client-only tags ("+draft/react=x;+y"), '' for none */
  tags: string;
}

/** A stored event: a NewEvent plus the store's order key. */
export interface StoredEvent extends NewEvent {
  /** strictly increasing in append order; ties in `time` are ordered by it */
  id: number;
}

/**
 * A position in a target's history. Events are ordered by (time, id); bounds are
 * exclusive. A timestamp reference T becomes {time: T, id: 0} as an upper bound
 * (everything strictly before T) or {time: T, id: MAX_ID} as a lower bound.
 */
export interface Cursor {
  time: number;
  id: number;
}

export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Commands that mark a nick arriving in or leaving a channel (HistoryStore.presence). */
export const PRESENCE_COMMANDS: readonly HistoryCommand[] = ['JOIN', 'PART', 'QUIT', 'NICK'];

export interface RangeQuery {
  target: string;
  /** exclusive lower bound, null = from the beginning */
  after: Cursor | null;
  /** exclusive upper bound, null = up to the end */
  before: Cursor | null;
  /** 'oldest': the first `limit` events after `after`; 'newest': the last `limit` before `before` */
  from: 'oldest' | 'newest';
  /** at least 1 */
  limit: number;
  /** 'messages' = PRIVMSG and NOTICE only; 'all' = every stored command */
  kinds: 'messages' | 'all';
}

export interface SearchQuery {
  /** casefolded targets to search (the rooms the user is in); empty = no results */
  targets: readonly string[];
  /**
   * Words, all of which must occur in a message (case- and accent-insensitive, whole
   * words; a trailing '*' makes a word a prefix). Build with parseSearchWords().
   */
  words: readonly string[];
  limit: number;
  /**
   * Cost bound: at most this many stored rows are looked at (default
   * DEFAULT_SEARCH_MAX_ROWS). Past it the search stops and says so in `stats`.
   */
  maxRows?: number;
  /** filled in by the store: what the search cost and whether it saw everything */
  stats?: SearchStats;
}

export interface SearchStats {
  /** stored rows looked at (the cost measure maxRows bounds) */
  examined: number;
  /** false when the search stopped at maxRows and older matches may be missing */
  complete: boolean;
}

export const DEFAULT_SEARCH_MAX_ROWS = 5000;

export interface PrunePolicy {
  /** delete events with time < olderThan (null = no age limit) */
  olderThan: number | null;
  /** keep at most this many events per target (null = no count limit) */
  maxPerTarget: number | null;
  /** delete at most this many rows in this call, so one call never stalls the loop */
  maxRows: number;
}

export interface HistoryStore {
  /** Appends the batch in order, atomically (all or nothing). */
  append(events: readonly NewEvent[]): Promise<void>;
  /**
   * Optional: as append(), for a batch of event-codec.ts records (removed ones skipped),
   * which the store may keep (the buffer is its own). The SQLite store hands the bytes to
   * its write thread as they are; History uses this where it exists.
   */
  appendEncoded?(bytes: Uint8Array): Promise<void>;
  /** Events of one target within the bounds, always returned in ascending order. */
  range(q: RangeQuery): Promise<StoredEvent[]>;
  /**
   * The newest `limit` JOIN/PART/QUIT/NICK events in `target` whose author is the nick
   * `nick` (source `nick!...`, as written, case included), ascending: when that nick was
   * last present (the reconnect-aware JOIN replay, src/core/history-replay.ts).
   */
  presence(target: string, nick: string, limit: number): Promise<StoredEvent[]>;
  /** Where the event with this msgid sits in `target`, or null if unknown there. */
  locate(target: string, msgid: string): Promise<Cursor | null>;
  /**
   * For each of `targets`, the time of its latest message (PRIVMSG/NOTICE) with
   * after < time < before; targets with none are absent from the result.
   */
  latestTimes(targets: readonly string[], after: number, before: number): Promise<Map<string, number>>;
  /**
   * Messages (PRIVMSG/NOTICE) matching every word, newest first, at most `limit`, from
   * `targets` only: no rows of other targets are read (beyond an index). Looks at most
   * `maxRows` rows; no targets or no words = no query.
   */
  search(q: SearchQuery): Promise<StoredEvent[]>;
  /** Deletes by policy, at most policy.maxRows rows; returns how many went. */
  prune(policy: PrunePolicy): Promise<number>;
  /** Distinct targets that start with `prefix`, ascending, at most `limit`. */
  targets(prefix: string, limit: number): Promise<string[]>;
  /**
   * Deletes every event of each of `targets` with time < `before` (null = all of them):
   * a dropped account's private conversations, waiting messages once delivered. Search
   * never finds them again. Returns how many events went.
   */
  deleteTargets(targets: readonly string[], before: number | null): Promise<number>;
  /**
   * Deletes the event with `msgid` in `target` (draft/message-redaction): gone from
   * range, search and locate. Returns how many events went (0 or 1).
   */
  deleteMessage(target: string, msgid: string): Promise<number>;
  /**
   * Moves every event of `from` to `to` (draft/channel-rename), merged in (time, id)
   * order with what `to` holds already; search follows. Returns how many moved.
   */
  renameTarget(from: string, to: string): Promise<number>;
}

/** Persisted channel state: what brings a room back "as it was" after a restart. */
export interface ChannelState {
  /** casefolded name (the key) */
  folded: string;
  name: string;
  createdAt: number;
  topic: string;
  topicBy: string;
  topicAt: number;
  /** flag modes, e.g. "nt" */
  flags: string;
  key: string | null;
  limit: number | null;
  bans: { mask: string; setBy: string; setAt: number }[];
  /** +e ban exceptions and +I invite exceptions (absent in older rows: none) */
  excepts?: { mask: string; setBy: string; setAt: number }[];
  invex?: { mask: string; setBy: string; setAt: number }[];
  /** when the last member left, null/absent = occupied when saved (older rows have none) */
  emptySince?: number | null;
  /** the account that created it (channel founder), null/absent = none */
  founder?: string | null;
  /** accounts the founder made operators (casefolded): opped again when they join */
  ops?: string[];
}

export interface ChannelStore {
  loadChannels(): Promise<ChannelState[]>;
  /** insert or replace by `folded` */
  saveChannel(state: ChannelState): Promise<void>;
  /** no-op when absent */
  deleteChannel(folded: string): Promise<void>;
}

/**
 * An account's password verifiers: nothing here gives the password back. `scrypt` checks
 * PLAIN, PASS and NickServ logins; `scramSha256` (RFC 5802/7677) lets SCRAM-SHA-256
 * authenticate without ever seeing the password. Binary values are base64.
 */
export interface AccountCredentials {
  scrypt: { salt: string; hash: string; N: number; r: number; p: number };
  scramSha256: { salt: string; iterations: number; storedKey: string; serverKey: string };
}

/** A registered account (src/accounts/, docs/accounts.md). */
export interface AccountRecord {
  /** casefolded name (the key; the server's casemapping) */
  folded: string;
  /** the name as registered */
  name: string;
  createdAt: number;
  credentials: AccountCredentials;
  /** e.g. 'admin'; unknown flags are kept as they are */
  flags: readonly string[];
  /** per-account settings, JSON-serializable values only */
  settings: Readonly<Record<string, unknown>>;
}

/**
 * Accounts by casefolded name. Records come back as copies: changing one changes
 * nothing stored until saveAccount().
 *
 * Deleting an account must also delete everything that belongs to it alone (its private
 * history, offline messages, read markers): a store that keeps such data deletes it in
 * deleteAccount(), in the same transaction where it can. (TODO offline messages: the
 * private-history store hooks in here.)
 */
export interface AccountStore {
  /** Every account (the server keeps them in memory: src/accounts/accounts.ts). */
  loadAccounts(): Promise<AccountRecord[]>;
  getAccount(folded: string): Promise<AccountRecord | null>;
  /** Inserts; false (and nothing changed) when `folded` is taken. */
  createAccount(rec: AccountRecord): Promise<boolean>;
  /** Insert or replace by `folded`. */
  saveAccount(rec: AccountRecord): Promise<void>;
  /** True when there was one to delete. */
  deleteAccount(folded: string): Promise<boolean>;
}

/**
 * A server-wide ban or mute, or a mute in one room (src/admin/sanctions.ts): what an
 * admin set, kept across restarts until it expires or is lifted.
 */
export interface Sanction {
  /** the store's key: kind, scope, match and value (saving the same one replaces it) */
  id: string;
  kind: 'ban' | 'mute';
  /** '*' = server-wide, else the casefolded channel it applies in */
  scope: string;
  /** 'mask': a nick!user@host glob; 'ip': an address or CIDR; 'account': an account name */
  match: 'mask' | 'ip' | 'account';
  value: string;
  reason: string;
  setBy: string;
  setAt: number;
  /** ms since the epoch; null = until lifted */
  expiresAt: number | null;
}

export interface SanctionStore {
  loadSanctions(): Promise<Sanction[]>;
  /** insert or replace by `id` */
  saveSanction(s: Sanction): Promise<void>;
  /** no-op when absent */
  deleteSanction(id: string): Promise<void>;
}

/** One opened backend: its stores and how to close it. */
export interface Storage {
  readonly kind: string;
  /**
   * For stores that commit asynchronously (off this thread, over a network): History
   * gathers this many ms of recorded lines into one commit instead of one per event-loop
   * turn (each request has a fixed cost on the event loop). Absent/0: one per turn.
   */
  readonly commitWindowMs?: number;
  readonly history: HistoryStore;
  readonly channels: ChannelStore;
  readonly accounts: AccountStore;
  /** shared files' metadata; absent = the file service keeps it in memory */
  readonly files?: FileStore;
  readonly sanctions: SanctionStore;
  close(): Promise<void>;
}

/**
 * A shared file's metadata (src/files/). The bytes are in `<dataDir>/files/<id>`; the
 * id is the random, unguessable part of the download URL.
 */
export interface StoredFile {
  /** 16 base64url characters (96 random bits): the file's name on disk and in its URL */
  id: string;
  /** the name the uploader gave (cleaned: no path, no controls, at most 100 characters) */
  name: string;
  /** the served Content-Type: one of the inline image types, or application/octet-stream */
  type: string;
  size: number;
  /** whose quota it counts against: the uploader's address */
  owner: string;
  /** nick of the uploader when it was shared */
  nick: string;
  /** where it was shared: a channel or nick, as written */
  target: string;
  /** ms since the epoch */
  createdAt: number;
}

export interface FileStore {
  /** insert (an id is never reused) */
  addFile(f: StoredFile): Promise<void>;
  getFile(id: string): Promise<StoredFile | null>;
  /** no-op when absent */
  deleteFile(id: string): Promise<void>;
  /** every file, oldest first (createdAt, then id): the service's index at start */
  listFiles(): Promise<StoredFile[]>;
}
