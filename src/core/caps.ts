/**
 * IRCv3 capabilities tincan offers, as bit flags so a session's set is one number and
 * fan-out can pick a serialized variant with a mask test.
 */
export const Cap = {
  capNotify: 1 << 0,
  serverTime: 1 << 1,
  messageTags: 1 << 2,
  echoMessage: 1 << 3,
  batch: 1 << 4,
  labeledResponse: 1 << 5,
  multiPrefix: 1 << 6,
  userhostInNames: 1 << 7,
  awayNotify: 1 << 8,
  extendedJoin: 1 << 9,
  accountTag: 1 << 10,
  inviteNotify: 1 << 11,
  setname: 1 << 12,
  chghost: 1 << 13,
  chathistory: 1 << 14,
  eventPlayback: 1 << 15,
  /** ZNC's playback module: PRIVMSG *playback :PLAY (commands/history.ts) */
  zncPlayback: 1 << 16,
  accountNotify: 1 << 17,
  sasl: 1 << 18,
  accountRegistration: 1 << 19,
  standardReplies: 1 << 20,
  /** draft/read-marker (commands/readmarker.ts) */
  readMarker: 1 << 21,
  /** extended-monitor (commands/monitor.ts) */
  extendedMonitor: 1 << 22,
  /** draft/no-implicit-names: no NAMES reply after the client's own JOIN */
  noImplicitNames: 1 << 23,
  /** draft/pre-away: AWAY accepted before registration completes (commands/user.ts) */
  preAway: 1 << 24,
  /** draft/multiline (core/multiline.ts) */
  multiline: 1 << 25,
  /** draft/message-redaction (commands/redact.ts) */
  messageRedaction: 1 << 26,
  /** draft/channel-rename (commands/rename.ts) */
  channelRename: 1 << 27,
  /** draft/metadata-2 (commands/metadata.ts) */
  metadata: 1 << 28,
} as const;

/** draft/multiline bounds (advertised in the cap value; docs/limits.md) */
export const MULTILINE = { maxBytes: 4096, maxLines: 100, timeoutMs: 30_000 } as const;

export interface CapInfo {
  name: string;
  bit: number;
  /** CAP LS 302 value, if any */
  value?: string;
  /** offered only when the server keeps history (IrcServer.history) */
  needsHistory?: boolean;
  /** offered only when accounts are enabled (config accounts.enabled) */
  needsAccounts?: boolean;
}

/** Offered capabilities in the order CAP LS lists them. */
export const CAPS: readonly CapInfo[] = [
  { name: 'account-notify', bit: Cap.accountNotify, needsAccounts: true },
  { name: 'account-tag', bit: Cap.accountTag },
  { name: 'away-notify', bit: Cap.awayNotify },
  { name: 'batch', bit: Cap.batch },
  { name: 'cap-notify', bit: Cap.capNotify },
  { name: 'chghost', bit: Cap.chghost },
  { name: 'draft/account-registration', bit: Cap.accountRegistration, value: 'before-connect', needsAccounts: true },
  { name: 'draft/channel-rename', bit: Cap.channelRename },
  { name: 'draft/chathistory', bit: Cap.chathistory, needsHistory: true },
  { name: 'draft/event-playback', bit: Cap.eventPlayback, needsHistory: true },
  { name: 'draft/message-redaction', bit: Cap.messageRedaction },
  // maxsub / maxkey: commands/metadata.ts META (kept in step by test/unit/core/metadata.test.ts)
  { name: 'draft/metadata-2', bit: Cap.metadata, value: 'maxsub=20,maxkey=10' },
  { name: 'draft/multiline', bit: Cap.multiline, value: `max-bytes=${MULTILINE.maxBytes},max-lines=${MULTILINE.maxLines}` },
  { name: 'draft/no-implicit-names', bit: Cap.noImplicitNames },
  { name: 'draft/pre-away', bit: Cap.preAway },
  { name: 'draft/read-marker', bit: Cap.readMarker },
  { name: 'echo-message', bit: Cap.echoMessage },
  { name: 'extended-join', bit: Cap.extendedJoin },
  { name: 'extended-monitor', bit: Cap.extendedMonitor },
  { name: 'invite-notify', bit: Cap.inviteNotify },
  { name: 'labeled-response', bit: Cap.labeledResponse },
  { name: 'message-tags', bit: Cap.messageTags },
  { name: 'multi-prefix', bit: Cap.multiPrefix },
  { name: 'sasl', bit: Cap.sasl, value: 'PLAIN,SCRAM-SHA-256', needsAccounts: true },
  { name: 'server-time', bit: Cap.serverTime },
  { name: 'setname', bit: Cap.setname },
  { name: 'standard-replies', bit: Cap.standardReplies },
  { name: 'userhost-in-names', bit: Cap.userhostInNames },
  { name: 'znc.in/playback', bit: Cap.zncPlayback, needsHistory: true },
];

const byName = new Map(CAPS.map((c) => [c.name, c]));

export function findCap(name: string): CapInfo | undefined {
  return byName.get(name);
}

/** Whether `srv`'s configuration offers `c` (history kept, accounts on). */
export function capOffered(c: CapInfo, srv: { history: unknown; config: { accounts: { enabled: boolean } } }): boolean {
  return (c.needsHistory !== true || srv.history !== undefined) && (c.needsAccounts !== true || srv.config.accounts.enabled);
}

export function capNames(bits: number): string[] {
  return CAPS.filter((c) => (bits & c.bit) !== 0).map((c) => c.name);
}
