/**
 * The client model's contracts: the transport it talks through, its options, its
 * events and the search results a view can list. Types and constants only.
 */
import type { ChatBuffer, ChatLine } from './buffer.js';

/** A message-oriented connection: one IRC line per call, without CRLF. */
export interface LineTransport {
  send(line: string): void;
  close(): void;
}
export interface TransportHandlers {
  onOpen(): void;
  onLine(line: string): void;
  /** called once, after onOpen or instead of it; err when it failed */
  onClose(err?: Error): void;
}
export type TransportFactory = (h: TransportHandlers) => LineTransport;

export type ConnState = 'connecting' | 'registering' | 'connected' | 'disconnected' | 'closed';

export interface ClientOptions {
  nick: string;
  user?: string;
  realname?: string;
  /** sent as PASS on every connect (see submitPassword) */
  password?: string;
  /** log in with SASL PLAIN while registering (the password may be a device token) */
  login?: { account: string; password: string };
  transport: TransportFactory;
  /** rooms to join once registered (a remembered list); the first is shown when joined */
  channels?: readonly string[];
  /** capabilities asked for besides WANTED_CAPS (the browser adds draft/event-playback) */
  extraCaps?: readonly string[];
  /** search results as lines in the window (default) or only in {@link IrcClient.searchResults} */
  searchLines?: boolean;
  /** ask WHO on join to learn who is away (replies are not shown) */
  whoOnJoin?: boolean;
  /** shown in the status line, e.g. "127.0.0.1:4444" */
  serverLabel: string;
  /** false: no reconnect. Default 1 s doubling to 30 s. */
  reconnect?: { minMs: number; maxMs: number } | false;
  now?: () => Date;
  maxLines?: number;
  /** on joining a room, load this many lines of history when the server offers it (0: off) */
  historyOnJoin?: number;
  /** messages typed while disconnected, kept for the reconnect (default 50 messages, 16 KiB) */
  outbox?: { maxMessages: number; maxBytes: number };
  /** nicks ignored from the start (/ignore: a remembered list) */
  ignored?: readonly string[];
  /** the ignore list changed: remember it where the client keeps its settings */
  onIgnoredChange?: (nicks: readonly string[]) => void;
}

/** Nicks one client may ignore at once. */
export const MAX_IGNORED = 100;

export const DEFAULT_OUTBOX = { maxMessages: 50, maxBytes: 16 * 1024 } as const;

export interface ClientEvents extends Record<string, unknown[]> {
  state: [ConnState];
  /** the server confirmed a nick change of ours (not a fallback at registration) */
  nick: [string];
  /** a line was added to a buffer */
  line: [ChatBuffer, ChatLine];
  /** anything visible changed (buffers, counters, nick, topic, members) */
  change: [];
  /** every wire line, for debugging (/raw shows replies to what you sent) */
  wire: ['in' | 'out', string];
  /** a login or registration answered (connection.ts: SASL, REGISTER) */
  auth: [AuthEvent];
}

/** What the server said about logging in or registering. */
export interface AuthEvent {
  kind: 'logged-in' | 'logged-out' | 'login-failed' | 'registered' | 'register-failed' | 'token-created' | 'token-revoked' | 'token-failed';
  /** the account concerned ('' when the server did not say) */
  account: string;
  /** readable text, as shown in the server window */
  text: string;
  /** FAIL REGISTER's or FAIL TOKEN's code (ACCOUNT_EXISTS, WEAK_PASSWORD, NO_SUCH_TOKEN...) */
  code?: string;
  /** token-created: the device token (shown once by the server) and its id; token-revoked: the id */
  token?: { id: string; token: string };
}

/** The results of the last search, for a view that lists them apart. */
export interface SearchResults {
  query: string;
  pending: boolean;
  /** newest first; `where` names the room or conversation */
  results: ChatLine[];
}

/** Lines per history page (scrollback and join). */
export const HISTORY_PAGE = 50;
