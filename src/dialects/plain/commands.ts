/**
 * The plain dialect's slash commands, one table entry each (src/shared/command-table.ts):
 * `/help` and `/help CMD` are generated from it, so the list cannot omit a command.
 * Handlers turn a command into IRC for the core, or answer locally (switching rooms).
 */
import type { Config } from '../../config/types.js';
import { CommandTable, type CommandSpec } from '../../shared/command-table.js';
import type { PlainAccount } from './account.js';
import { MAX_IGNORED, type PlainState } from './state.js';
import { normalizeCode } from '../../admin/claim.js';
import { cleanText, isChannel, stamp } from './text.js';

/** What a command handler can do. */
export interface PlainCommandContext {
  readonly state: PlainState;
  config(): Config;
  now(): Date;
  show(lines: readonly string[]): void;
  /** an error line (counted in state.errors) */
  error(text: string): void;
  toCore(command: string, params: string[]): void;
  /** a raw IRC line from the user, as is */
  coreLine(line: string): void;
  /** PRIVMSG target text, split into protocol-sized parts */
  say(target: string, text: string): void;
  /** /register and /login (plain/account.ts) */
  readonly account: PlainAccount;
}

type Spec = CommandSpec<PlainCommandContext>;

/** The current room, or null after saying there is none. */
function needRoom(c: PlainCommandContext, text = 'You are not in a room. /join #room first.'): string | null {
  if (c.state.room === null) c.error(text);
  return c.state.room;
}

const usage = (c: PlainCommandContext, name: string, extra = ''): void => {
  const s = PLAIN_COMMANDS.get(name);
  c.error(`Usage: ${s === undefined ? '/' + name : CommandTable.usage(s)}${extra}`);
};

const SPECS: readonly Spec[] = [
  {
    name: 'nick',
    aliases: ['name'],
    args: 'NAME',
    help: 'change your name',
    run(c, { args }) {
      if (args[0] === undefined) c.show([`* You are ${c.state.nick}. /nick NAME changes it.`]);
      else c.toCore('NICK', [args[0]]);
    },
  },
  {
    name: 'join',
    aliases: ['j'],
    args: '#room',
    help: 'join a room (or switch to one you are in)',
    run(c, { args: [room, key] }) {
      if (room === undefined) return usage(c, 'join');
      const name = isChannel(room) ? room : '#' + room;
      const mine = c.state.findRoom(name);
      if (mine !== undefined) {
        c.state.room = mine;
        c.show([`* Now talking in ${mine}.`]);
        return;
      }
      c.toCore('JOIN', key === undefined ? [name] : [name, key]);
    },
  },
  {
    name: 'part',
    aliases: ['leave'],
    args: '[#room] [reason]',
    help: 'leave the current room (or #room)',
    run(c, { rest, args }) {
      let target = c.state.room;
      let reason = rest;
      if (isChannel(args[0] ?? '')) {
        target = args[0]!;
        reason = args.slice(1).join(' ');
      }
      if (target === null) return c.error('You are not in a room.');
      c.toCore('PART', reason === '' ? [target] : [target, reason]);
    },
  },
  {
    name: 'msg',
    aliases: ['tell', 'query', 'm'],
    args: 'NAME text',
    help: 'a private message (NAME can be a #room too)',
    run(c, { args }) {
      const to = args[0];
      const text = args.slice(1).join(' ');
      if (to === undefined || text === '') return usage(c, 'msg');
      const before = c.state.errors;
      c.say(to, text);
      if (c.state.errors === before) c.show([`${stamp(c.now())} -> ${cleanText(to)}: ${text}`]);
    },
  },
  {
    name: 'me',
    args: 'text',
    help: 'an action: /me waves shows "* yourname waves"',
    run(c, { rest }) {
      const r = needRoom(c);
      if (r === null) return;
      if (rest === '') return usage(c, 'me');
      c.toCore('PRIVMSG', [r, `\x01ACTION ${rest}\x01`]);
    },
  },
  {
    name: 'who',
    aliases: ['names', 'users'],
    args: '[#room]',
    help: 'who is in the room',
    run(c, { args }) {
      const target = args[0] ?? needRoom(c);
      if (target !== null) c.toCore('WHO', [target]);
    },
  },
  {
    name: 'rooms',
    aliases: ['list', 'channels'],
    args: '[word]',
    help: 'list the rooms (with word in their name)',
    run(c, { args: [word] }) {
      // "/rooms game" or "/rooms #game*": the rooms whose names match
      if (word === undefined) c.toCore('LIST', []);
      else c.toCore('LIST', [isChannel(word) ? word : `#*${word}*`]);
    },
  },
  {
    name: 'topic',
    args: '[text]',
    help: 'show or set the room topic',
    run(c, { rest, args }) {
      let target = c.state.room;
      let topic = rest;
      if (isChannel(args[0] ?? '')) {
        target = args[0]!;
        topic = args.slice(1).join(' ');
      }
      if (target === null) return c.error('You are not in a room.');
      c.toCore('TOPIC', topic === '' ? [target] : [target, topic]);
    },
  },
  {
    name: 'away',
    args: '[message]',
    help: 'mark yourself away; /away again when back',
    run(c, { rest }) {
      if (rest === '' && c.state.away) c.toCore('AWAY', []);
      else c.toCore('AWAY', [rest === '' ? 'away' : rest]);
    },
  },
  {
    name: 'back',
    args: '',
    help: 'you are back (no longer away)',
    run(c) {
      c.toCore('AWAY', []);
    },
  },
  {
    name: 'whois',
    args: 'NAME',
    help: 'who someone is',
    run(c, { args: [who] }) {
      if (who === undefined) usage(c, 'whois');
      else c.toCore('WHOIS', [who]);
    },
  },
  {
    name: 'seen',
    args: 'NAME',
    help: 'when someone was last here',
    run(c, { args: [who] }) {
      if (who === undefined) usage(c, 'seen');
      else c.toCore('SEEN', [who]);
    },
  },
  {
    name: 'history',
    args: '[N]',
    help: 'the last N messages of this room',
    run(c, { args }) {
      // HISTORY and SEARCH are the server's history commands (docs/history.md)
      const named = isChannel(args[0] ?? '');
      const target = named ? args[0]! : needRoom(c);
      if (target === null) return;
      const n = (named ? args[1] : args[0]) ?? '';
      if (n !== '' && !/^\d+$/.test(n)) usage(c, 'history', ' (how many lines, e.g. /history 50)');
      else c.toCore('HISTORY', n === '' ? [target] : [target, n]);
    },
  },
  {
    name: 'search',
    args: 'words',
    help: 'search the rooms you are in',
    run(c, { args }) {
      if (args.length === 0) usage(c, 'search', ' (searches the rooms you are in)');
      else c.toCore('SEARCH', args);
    },
  },
  {
    name: 'kick',
    args: 'NAME [reason]',
    help: 'put someone out of the room (room operators)',
    run(c, { args }) {
      const r = needRoom(c);
      if (r === null) return;
      const [who, ...why] = args;
      if (who === undefined) usage(c, 'kick');
      else c.toCore('KICK', why.length === 0 ? [r, who] : [r, who, why.join(' ')]);
    },
  },
  {
    name: 'invite',
    args: 'NAME [#room]',
    help: 'invite someone to this room (or #room)',
    run(c, { args: [who, room] }) {
      const target = isChannel(room ?? '') ? room! : needRoom(c);
      if (target === null) return;
      if (who === undefined) usage(c, 'invite');
      else c.toCore('INVITE', [who, target]);
    },
  },
  // ---- accounts (plain/account.ts): the password is never shown back ----
  {
    name: 'register',
    args: 'PASSWORD',
    help: 'keep your current name: only you can use it from now on',
    run(c, { rest }) {
      if (rest === '') return usage(c, 'register', ` (for your name, ${c.state.nick})`);
      const out = c.account.register(rest);
      if (out[0]?.startsWith('! ') === true) c.error(out[0].slice(2));
      else c.show(out);
    },
  },
  {
    name: 'login',
    aliases: ['identify'],
    args: '[NAME] PASSWORD',
    help: 'log in to your registered name',
    run(c, { args, rest }) {
      if (args.length === 0) return usage(c, 'login', ' (NAME: your name by default)');
      // one word: the password of the current name; more: NAME, then the password (spaces and all)
      const [name, password] = args.length === 1 ? [c.state.nick, rest] : [args[0]!, rest.slice(args[0]!.length).trim()];
      const out = c.account.login(name, password);
      if (out[0]?.startsWith('! ') === true) c.error(out[0].slice(2));
      else c.show(out);
    },
  },
  {
    name: 'bytes',
    args: 'on|off',
    help: 'show the IRC lines your actions send (>>) and receive (<<)',
    run(c, { args: [how] }) {
      const on = how === undefined ? !c.state.bytes : /^(on|yes|1)$/i.test(how) ? true : /^(off|no|0)$/i.test(how) ? false : null;
      if (on === null) return usage(c, 'bytes');
      c.state.bytes = on;
      c.show(
        on
          ? ['* Showing the protocol: >> is the IRC line your typing became, << a line the server sent you. /bytes off stops.']
          : ['* No longer showing the protocol.'],
      );
    },
  },
  {
    name: 'upload',
    aliases: ['share'],
    args: '[#room|nick]',
    help: 'get a curl command that shares a file with the room',
    run(c, { args: [to] }) {
      const target = to ?? needRoom(c, 'You are not in a room. /join #room first, or /upload NICK to share with one person.');
      if (target !== null) c.toCore('UPLOAD', [target]);
    },
  },
  {
    name: 'ban',
    args: 'NAME|MASK',
    help: 'keep someone out of this room (room operators): /unban to undo',
    run(c, { args: [who] }) {
      const r = needRoom(c);
      if (r === null) return;
      if (who === undefined) c.toCore('MODE', [r, '+b']);
      else c.toCore('MODE', [r, '+b', who]);
    },
  },
  {
    name: 'unban',
    args: 'NAME|MASK',
    help: 'lift a ban in this room (room operators)',
    run(c, { args: [who] }) {
      const r = needRoom(c);
      if (r === null) return;
      if (who === undefined) usage(c, 'unban');
      else c.toCore('MODE', [r, '-b', who]);
    },
  },
  {
    name: 'mode',
    args: '[+i|-i|+m|+k KEY|+o NAME ...]',
    help: "show or change this room's modes (room operators)",
    run(c, { args }) {
      const r = needRoom(c);
      if (r === null) return;
      c.toCore('MODE', [r, ...args]);
    },
  },
  {
    name: 'ignore',
    args: '[NAME]',
    help: 'stop seeing what NAME writes (no NAME: the list)',
    run(c, { args: [who] }) {
      const st = c.state;
      if (who === undefined) {
        const list = [...st.ignored.values()];
        return c.show([list.length === 0 ? '* You ignore nobody. /ignore NAME to stop seeing someone.' : `* You ignore: ${list.map(cleanText).join(', ')} (/unignore NAME to undo)`]);
      }
      if (st.isMe(who)) return c.error('You cannot ignore yourself.');
      if (!st.ignores(who) && st.ignored.size >= MAX_IGNORED) return c.error(`You ignore ${MAX_IGNORED} names already: /unignore some first.`);
      st.ignored.set(st.fold(who), who);
      c.show([`* You will not see messages from ${cleanText(who)} any more (/unignore ${cleanText(who)} to undo).`]);
    },
  },
  {
    name: 'unignore',
    args: 'NAME',
    help: 'see what NAME writes again',
    run(c, { args: [who] }) {
      if (who === undefined) return usage(c, 'unignore');
      if (!c.state.ignored.delete(c.state.fold(who))) return c.error(`You are not ignoring ${cleanText(who)}.`);
      c.show([`* You see messages from ${cleanText(who)} again.`]);
    },
  },
  {
    name: 'admin',
    args: 'CODE | command',
    help: "become admin with the join card's code; then /admin help lists admin commands",
    run(c, { rest, args }) {
      if (rest === '') return usage(c, 'admin');
      // one word that reads as a code: claim it; anything else is an admin command
      if (args.length === 1 && /^[0-9A-Z]{10}$/.test(normalizeCode(args[0]!))) c.toCore('CLAIM', [args[0]!]);
      else c.toCore('SA', [rest]);
    },
  },
  {
    name: 'quote',
    aliases: ['raw'],
    args: 'IRC LINE',
    help: 'send a raw IRC line (for IRC experts)',
    run(c, { rest }) {
      if (rest !== '') c.coreLine(rest);
    },
  },
  {
    name: 'quit',
    aliases: ['exit', 'bye'],
    args: '[message]',
    help: 'leave',
    run(c, { rest }) {
      c.toCore('QUIT', rest === '' ? [] : [rest]);
    },
  },
  {
    name: 'help',
    aliases: ['?', 'commands'],
    args: '[command]',
    help: 'this list, or more about one command',
    run(c, { args: [name] }) {
      if (name === undefined) return c.show(helpText());
      const rows = PLAIN_COMMANDS.helpFor(name, '*   ');
      if (rows === null) c.error(`There is no command /${cleanText(name.replace(/^\//, ''))}. Type /help for the list.`);
      else c.show(rows);
    },
  },
];

export const PLAIN_COMMANDS: CommandTable<PlainCommandContext> = new CommandTable(SPECS);

/** `/help`: how to talk, then one row per command of the table. */
export function helpText(): string[] {
  return [
    '* How to talk here:',
    `*   ${'just type and press Enter'.padEnd(28)}a message to everyone in your current room`,
    ...PLAIN_COMMANDS.helpRows('*   ', 28),
    '* Start a line with // to send a message that begins with /.',
  ];
}
