/**
 * The admin command table: what the server's console (`tincan serve` on a terminal),
 * `tincan admin` (the local socket) and an admin in any client (`SA <command>` over IRC,
 * `/admin <command>` in the plain dialect) can do. One CommandSpec table
 * (src/shared/command-table.ts), so `/help` is generated from what executes.
 *
 * Every action is audit-logged (AdminState.audit): a pino line and a NOTICE to the other
 * admins online.
 */
import { truncateUtf8 } from '../protocol/index.js';
import { CommandTable, parseCommandLine, type CommandInput, type CommandSpec } from '../shared/command-table.js';
import type { IrcServer } from '../core/server.js';
import type { Session } from '../core/session.js';
import type { Channel } from '../core/channel.js';
import { Member } from '../core/channel.js';
import { channelMode, type ModeActor } from '../core/commands/mode.js';
import { kickMember } from '../core/commands/channel.js';
import type { Sanction } from '../storage/types.js';
import { parseTarget } from './sanctions.js';
import { untilText } from './state.js';

export interface AdminContext {
  readonly srv: IrcServer;
  /** who acts, for the audit trail: a nick, "console" or "tincan admin" */
  readonly by: string;
  /** the admin's own session when acting from a client; null for the console and the socket */
  readonly session: Session | null;
  reply(lines: readonly string[]): void;
}

type Spec = CommandSpec<AdminContext>;

/** Rows a listing (/who, /rooms, /bans) shows at most: the socket and a client's send queue stay bounded. */
export const MAX_LIST_ROWS = 500;

const DURATION = /^(\d{1,9})([smhdw]?)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, '': 60_000 };

/** "30m", "2h", "1d", "45" (minutes); "0", "forever", "perm" = no end. undefined: not a duration. */
export function parseDuration(w: string | undefined): number | null | undefined {
  if (w === undefined) return undefined;
  if (/^(0|forever|perm|permanent)$/i.test(w)) return null;
  const m = DURATION.exec(w);
  if (m === null) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
}

function usage(x: AdminContext, name: string): void {
  const s = ADMIN_COMMANDS.get(name);
  x.reply([`Usage: ${s === undefined ? '/' + name : CommandTable.usage(s)}`]);
}

function room(x: AdminContext, name: string | undefined, cmd: string): Channel | null {
  if (name === undefined || !/^[#&]/.test(name)) {
    usage(x, cmd);
    return null;
  }
  const ch = x.srv.findChannel(name);
  if (ch === undefined) x.reply([`There is no room ${name}.`]);
  return ch ?? null;
}

/** The console and the socket change modes as the server itself. */
function actor(x: AdminContext): ModeActor {
  if (x.session !== null) return x.session;
  return {
    source: x.srv.config.serverName,
    nick: x.by,
    admin: true,
    account: null,
    numeric: (_code, ...params) => x.reply([params.slice(1).join(' ')]),
  };
}

const sourceOf = (x: AdminContext): string => x.session?.source ?? x.srv.config.serverName;

/**
 * A TARGET as typed: a mask, address, CIDR or account:NAME as is; a nick online becomes
 * that person's address (a guest can change nick, not machine). Null after saying why.
 */
function resolveTarget(x: AdminContext, word: string): { target: string; who: string } | null {
  if (parseTarget(word) !== null) return { target: word, who: word };
  const s = x.srv.findNick(word);
  if (s === undefined) {
    x.reply([`Nobody is called ${word} now: give a mask (nick!user@host), an address or CIDR, or account:NAME.`]);
    return null;
  }
  return { target: s.ip, who: `${s.nick} (${s.ip})` };
}

/** `[#room] TARGET [DURATION] [reason]` */
function sanctionArgs(x: AdminContext, args: string[], cmd: string): { ch: Channel | null; target: string; who: string; ms: number | null; reason: string } | null {
  let i = 0;
  let ch: Channel | null = null;
  if (/^[#&]/.test(args[0] ?? '')) {
    ch = room(x, args[0], cmd);
    if (ch === null) return null;
    i = 1;
  }
  const word = args[i];
  if (word === undefined) {
    usage(x, cmd);
    return null;
  }
  const t = resolveTarget(x, word);
  if (t === null) return null;
  let d = parseDuration(args[i + 1]);
  let rest = args.slice(i + 2);
  if (d === undefined) {
    const h = x.srv.config.moderation.defaultBanHours;
    d = h === 0 ? null : h * 3_600_000;
    rest = args.slice(i + 1);
  }
  return { ch, ...t, ms: d, reason: truncateUtf8(rest.join(' '), 200) };
}

function addSanction(x: AdminContext, kind: Sanction['kind'], args: string[]): void {
  const a = sanctionArgs(x, args, kind);
  if (a === null) return;
  const { srv } = x;
  const adm = srv.admin;
  if (adm.sanctions.size >= srv.config.moderation.maxSanctions) {
    x.reply([`There are ${adm.sanctions.size} bans and mutes already (moderation.maxSanctions): lift some first (/bans).`]);
    return;
  }
  const now = srv.now();
  const s = adm.sanctions.add({ kind, scope: a.ch?.folded ?? '*', target: a.target, reason: a.reason, setBy: x.by, setAt: now, expiresAt: a.ms === null ? null : now + a.ms });
  if (typeof s === 'string') return x.reply([s]);
  const where = a.ch === null ? 'the server' : a.ch.name;
  const text = `${kind === 'ban' ? 'banned' : 'muted'} ${a.who} on ${where} ${untilText(s)}${a.reason === '' ? '' : ` (${a.reason})`}`;
  adm.audit(x.by, kind, text, { target: s.value, match: s.match, scope: s.scope, expiresAt: s.expiresAt }, x.session);
  x.reply([`Done: ${text}.`]);
  enforceSanction(srv, s, sourceOf(x));
}

/**
 * Who a new sanction hits now, among this node's users: a ban closes their connection
 * (or puts them out of the room), a mute is told. Also run for a sanction another
 * cluster node set (src/cluster/core-link.ts), with the server as `source`.
 */
export function enforceSanction(srv: IrcServer, s: Sanction, source: string): void {
  const adm = srv.admin;
  const ch = s.scope === '*' ? null : (srv.channels.get(s.scope) ?? null);
  if (s.scope !== '*' && ch === null) return;
  const where = ch === null ? 'the server' : ch.name;
  for (const u of [...srv.sessions]) {
    if (!u.registered || u.closing || u.admin) continue;
    if (s.kind === 'ban') {
      if (ch === null) adm.refuseIfBanned(u);
      else if (ch.members.has(u) && adm.sanctions.matches(s, adm.subject(u))) {
        kickMember(ch, u, source, `Banned ${untilText(s)}${s.reason === '' ? '' : `: ${s.reason}`}`, srv);
      }
    } else if (adm.mutedIn(u, ch) === s) {
      u.serverMessage('NOTICE', u.nick, `*** You are muted in ${where} ${untilText(s)}${s.reason === '' ? '' : ` (${s.reason})`}: what you write there is not delivered.`);
    }
  }
}

function liftSanction(x: AdminContext, kind: Sanction['kind'], args: string[]): void {
  let scope = '*';
  let i = 0;
  if (/^[#&]/.test(args[0] ?? '')) {
    scope = args[0]!;
    i = 1;
  }
  const word = args[i];
  if (word === undefined) return usage(x, 'un' + kind);
  const t = parseTarget(word) !== null ? word : x.srv.findNick(word)?.ip;
  const gone = t === undefined ? null : x.srv.admin.sanctions.remove(kind, scope, t);
  if (gone === null) return x.reply([`No ${kind} on ${word}${scope === '*' ? '' : ' in ' + scope} (see /bans).`]);
  const text = `lifted the ${kind} on ${gone.value}${scope === '*' ? '' : ' in ' + scope}`;
  x.srv.admin.audit(x.by, 'un' + kind, text, { target: gone.value, scope: gone.scope }, x.session);
  x.reply([`Done: ${text}.`]);
}

function modeLine(ch: Channel): string {
  return ch.modeString(true).join(' ');
}

const SPECS: readonly Spec[] = [
  {
    name: 'who',
    aliases: ['users'],
    args: '[#room]',
    help: 'who is connected (or in #room): nick, address, rooms',
    run(x, { args: [name] }) {
      let users: Session[];
      if (name !== undefined) {
        const ch = room(x, name, 'who');
        if (ch === null) return;
        users = [...ch.members.keys()];
      } else users = [...x.srv.sessions].filter((s) => s.registered);
      const rows = users.slice(0, MAX_LIST_ROWS).map((s) => {
        const tags = [s.admin ? 'admin' : '', x.srv.admin.mutedIn(s, null) !== null ? 'muted' : ''].filter((t) => t !== '');
        return `  ${s.nick.padEnd(16)} ${s.ip.padEnd(16)} ${[...s.channels].map((c) => (c.members.get(s)! & Member.op ? '@' : '') + c.name).join(' ')}${tags.length > 0 ? `  [${tags.join(', ')}]` : ''}`;
      });
      x.reply([`${users.length} user${users.length === 1 ? '' : 's'}${name === undefined ? '' : ' in ' + name}:`, ...rows, ...(users.length > MAX_LIST_ROWS ? [`  (first ${MAX_LIST_ROWS} shown)`] : [])]);
    },
  },
  {
    name: 'rooms',
    aliases: ['list'],
    args: '',
    help: 'every room: members, modes, topic',
    run(x) {
      const all = [...x.srv.channels.values()].sort((a, b) => b.members.size - a.members.size);
      const rows = all.slice(0, MAX_LIST_ROWS).map((c) => `  ${c.name.padEnd(20)} ${String(c.members.size).padStart(4)}  ${modeLine(c).padEnd(12)} ${c.topic}`);
      x.reply([`${all.length} room${all.length === 1 ? '' : 's'}:`, ...rows, ...(all.length > MAX_LIST_ROWS ? [`  (first ${MAX_LIST_ROWS} shown)`] : [])]);
    },
  },
  {
    name: 'kick',
    args: '#room NAME [reason]',
    help: 'put someone out of a room',
    run(x, { args }) {
      const ch = room(x, args[0], 'kick');
      if (ch === null) return;
      const nick = args[1];
      if (nick === undefined) return usage(x, 'kick');
      const t = x.srv.findNick(nick);
      if (t === undefined || !ch.members.has(t)) return x.reply([`${nick} is not in ${ch.name}.`]);
      const reason = truncateUtf8(args.slice(2).join(' ') || `by ${x.by}`, x.srv.config.limits.kickLength);
      kickMember(ch, t, sourceOf(x), reason, x.srv);
      x.srv.admin.audit(x.by, 'kick', `kicked ${t.nick} from ${ch.name} (${reason})`, { channel: ch.name, target: t.nick }, x.session);
      x.reply([`Done: ${t.nick} is out of ${ch.name}.`]);
    },
  },
  {
    name: 'ban',
    args: '[#room] TARGET [30m|2h|1d|forever] [reason]',
    help: 'ban from the server (or #room): a nick (their address), mask, IP, CIDR or account:NAME',
    run: (x, { args }) => addSanction(x, 'ban', args),
  },
  {
    name: 'unban',
    args: '[#room] TARGET',
    help: 'lift a ban',
    run: (x, { args }) => liftSanction(x, 'ban', args),
  },
  {
    name: 'mute',
    args: '[#room] TARGET [30m|2h|1d|forever] [reason]',
    help: 'stop someone talking on the server (or in #room); they are told',
    run: (x, { args }) => addSanction(x, 'mute', args),
  },
  {
    name: 'unmute',
    args: '[#room] TARGET',
    help: 'lift a mute',
    run: (x, { args }) => liftSanction(x, 'mute', args),
  },
  {
    name: 'bans',
    aliases: ['mutes'],
    args: '',
    help: 'the bans and mutes in force, and when they end',
    run(x) {
      const all = x.srv.admin.sanctions.list();
      const rows = all.slice(0, MAX_LIST_ROWS).map((s) => `  ${s.kind.padEnd(5)} ${(s.scope === '*' ? 'server' : s.scope).padEnd(12)} ${s.value.padEnd(24)} ${untilText(s)}  by ${s.setBy}${s.reason === '' ? '' : ': ' + s.reason}`);
      x.reply([all.length === 0 ? 'No bans or mutes.' : `${all.length} ban${all.length === 1 ? '' : 's'} and mutes:`, ...rows]);
    },
  },
  {
    name: 'topic',
    args: '#room text',
    help: "set a room's topic",
    run(x, { args }) {
      const ch = room(x, args[0], 'topic');
      if (ch === null) return;
      const text = truncateUtf8(args.slice(1).join(' '), x.srv.config.limits.topicLength);
      const source = sourceOf(x);
      ch.topic = text;
      ch.topicBy = x.session?.source ?? x.by;
      ch.topicAt = x.srv.now();
      const out = x.srv.outgoing(source, 'TOPIC', [ch.name, text]);
      x.srv.sendToChannel(ch, out);
      x.srv.history?.record(ch, source, 'TOPIC', [ch.name, text], out);
      x.srv.history?.channelChanged(ch);
      x.srv.admin.audit(x.by, 'topic', `set the topic of ${ch.name} to "${text}"`, { channel: ch.name }, x.session);
      x.reply([`Done: the topic of ${ch.name} is "${text}".`]);
    },
  },
  {
    name: 'mode',
    aliases: ['samode'],
    args: '#room MODES [args]',
    help: "change a room's modes, whoever set them (-ik unlocks, +o NAME gives operator)",
    run(x, { args }) {
      const ch = room(x, args[0], 'mode');
      if (ch === null) return;
      if (args[1] === undefined) return x.reply([`${ch.name}: ${modeLine(ch)}`]);
      channelMode(actor(x), ch, args.slice(1), x.srv);
      x.reply([`${ch.name} is now ${modeLine(ch)}.`]);
    },
  },
  {
    name: 'unlock',
    args: '#room',
    help: 'take off invite-only, the key, the limit and the bans',
    run(x, { args }) {
      const ch = room(x, args[0], 'unlock');
      if (ch === null) return;
      const a = actor(x);
      channelMode(a, ch, ['-ikl'], x.srv);
      // MODES per line (limits.modesPerCommand) at a time
      const per = x.srv.config.limits.modesPerCommand;
      for (let left = ch.bans.map((b) => b.mask); left.length > 0; left = left.slice(per)) {
        const some = left.slice(0, per);
        channelMode(a, ch, ['-' + 'b'.repeat(some.length), ...some], x.srv);
      }
      x.reply([`${ch.name} is now ${modeLine(ch)}.`]);
    },
  },
  {
    name: 'announce',
    aliases: ['wall'],
    args: 'text',
    help: 'a notice to everyone connected',
    run(x, { rest }) {
      if (rest === '') return usage(x, 'announce');
      const text = truncateUtf8(rest, 400);
      let n = 0;
      for (const s of x.srv.sessions) {
        if (!s.registered || s.closing) continue;
        s.serverMessage('NOTICE', s.nick, `*** Announcement: ${text}`);
        n++;
      }
      x.srv.admin.audit(x.by, 'announce', `announced: ${text}`, {}, x.session);
      x.reply([`Done: told ${n} user${n === 1 ? '' : 's'}.`]);
    },
  },
  {
    name: 'code',
    args: '',
    help: 'a new one-time admin code (the old one stops working)',
    run(x) {
      const min = x.srv.config.moderation.claimCodeMinutes;
      const code = x.srv.admin.claim.issue(min === 0 ? 60 : min);
      x.srv.admin.audit(x.by, 'code', 'made a new one-time admin code', {}, x.session);
      x.reply([`One-time admin code: ${code} (valid ${min === 0 ? 60 : min} minutes). Type /admin ${code} in any client to become admin.`]);
    },
  },
  {
    name: 'help',
    aliases: ['?'],
    args: '[command]',
    help: 'this list, or more about one command',
    run(x, { args: [name] }) {
      if (name === undefined) return x.reply(adminHelp());
      x.reply(ADMIN_COMMANDS.helpFor(name, '  ') ?? [`There is no admin command /${name}. /help lists them.`]);
    },
  },
];

export const ADMIN_COMMANDS: CommandTable<AdminContext> = new CommandTable(SPECS);

export function adminHelp(): string[] {
  return ['Admin commands (TARGET: a nick, nick!user@host mask, IP, CIDR or account:NAME):', ...ADMIN_COMMANDS.helpRows('  ')];
}

/** Runs one admin command line (`/kick #a bob` or `kick #a bob`). Control characters are dropped. */
export function runAdminLine(x: AdminContext, line: string): void {
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
  if (clean === '') return;
  const input: CommandInput | null = parseCommandLine(clean.startsWith('/') ? clean : '/' + clean);
  const spec = input === null ? undefined : ADMIN_COMMANDS.get(input.name);
  if (input === null || spec === undefined) return x.reply([`Unknown command: ${clean.split(/\s/)[0]}. /help lists them.`]);
  spec.run(x, input);
}
