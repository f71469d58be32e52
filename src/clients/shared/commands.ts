/**
 * What the user types, turned into actions on the client model: a plain line is a
 * message to the active room or query; `/word args` is a command from the table
 * {@link COMMANDS} (the shape shared with the plain dialect, src/shared/command-table.ts),
 * and `/help` is generated from it. `//text` sends "/text" as a message. UI-only actions
 * (switching windows, quitting the program) go through the small {@link CommandUi}
 * interface, so the terminal's full-screen and line modes share this table.
 */
import type { IrcClient } from './irc-client.js';
import type { ChatBuffer } from './buffer.js';
import { CommandTable, parseCommandLine, type CommandSpec } from '../../shared/command-table.js';
import { pickMessage, QUICK_REACTIONS } from './client-tags.js';

export interface CommandUi {
  /** switch to window n (1-based) */
  switchTo(n: number): void;
  /** leave the program after the client quit */
  exit(): void;
  /** /upload: share the file at `path` with `to` (absent: this client cannot) */
  upload?(path: string, to: string): void;
  /**
   * Asks for a secret (the password of /register and /login): not shown while typed,
   * not kept in the input history; `then(null)` when cancelled. Absent: the secret must
   * be given as an argument.
   */
  askSecret?(prompt: string, then: (secret: string | null) => void): void;
}

/** A typed line carrying a password (/register PW, /login ACCOUNT PW): never kept in the input history. */
export function hasSecret(line: string): boolean {
  return /^\/(register\s+\S|(login|identify)\s+\S+\s+\S)/i.test(line.trimStart());
}

/** What a command handler works on: the client, the window it was typed in, the UI. */
export interface ClientCommandContext {
  c: IrcClient;
  ui: CommandUi;
  /** the active window */
  b: ChatBuffer;
  /** the active room or query, null in the server window */
  here: string | null;
}

type Spec = CommandSpec<ClientCommandContext>;

/** True when connected; otherwise says so in the active window. */
function needConn({ c, b }: ClientCommandContext): boolean {
  if (c.connected) return true;
  c.info(b, `Not connected to ${c.label}`, 'error');
  return false;
}

function usage({ c, b }: ClientCommandContext, name: string): void {
  const s = COMMANDS.get(name);
  c.info(b, `Usage: ${s === undefined ? '/' + name : CommandTable.usage(s)}`, 'error');
}

/** A message typed while disconnected: kept for the reconnect, or refused saying why. */
function keep(c: IrcClient, b: ChatBuffer, text: string, action: boolean): void {
  if (c.state === 'closed') return c.info(b, 'Not connected: the message was not sent', 'error');
  if (!c.queue(b.name, text, action)) {
    return c.info(b, `Not connected, and ${c.pendingCount} messages already wait (the most kept): this one was not sent`, 'error');
  }
  if (c.pendingCount === 1) c.info(b, 'Not connected: your message is kept and will be sent when the connection is back');
}

const SPECS: readonly Spec[] = [
  {
    name: 'join',
    aliases: ['j'],
    args: '#room [key]',
    help: 'join a room (and switch to it)',
    run(x, { args }) {
      if (!args[0]) return usage(x, 'join');
      if (!needConn(x)) return;
      const chan = x.c.isChannel(args[0]) ? args[0] : `#${args[0]}`;
      const existing = x.c.find(chan);
      if (existing?.joined) return x.c.setActive(existing);
      x.c.join(chan, args[1]);
    },
  },
  {
    name: 'part',
    aliases: ['leave'],
    args: '[#room] [reason]',
    help: 'leave a room (default: this one)',
    run(x, { rest, args }) {
      const { c } = x;
      let chan = x.here;
      let reason = rest;
      if (args[0] && c.isChannel(args[0])) {
        chan = args[0];
        reason = rest.slice(args[0].length).trim();
      }
      if (!chan || !c.isChannel(chan)) return usage(x, 'part');
      if (!needConn(x)) return;
      if (reason) c.send('PART', chan, reason);
      else c.send('PART', chan);
    },
  },
  {
    name: 'msg',
    args: 'NICK|#room text',
    help: 'send a message without switching',
    run(x, { rest, args }) {
      if (!args[0] || args.length < 2) return usage(x, 'msg');
      if (!needConn(x)) return;
      x.c.say(args[0], rest.slice(args[0].length).trim());
    },
  },
  {
    name: 'notice',
    args: 'NICK|#room text',
    help: 'send a notice (no automatic replies)',
    run(x, { rest, args }) {
      if (!args[0] || args.length < 2) return usage(x, 'notice');
      if (!needConn(x)) return;
      const text = rest.slice(args[0].length).trim();
      x.c.send('NOTICE', args[0], text);
      x.c.info(x.c.find(args[0]) ?? x.b, `-> -${args[0]}- ${text}`);
    },
  },
  {
    name: 'query',
    aliases: ['q'],
    args: 'NICK [text]',
    help: 'open a private conversation',
    run(x, { rest, args }) {
      if (!args[0]) return usage(x, 'query');
      const q = x.c.buffer(args[0]);
      x.c.setActive(q);
      const text = rest.slice(args[0].length).trim();
      if (text && needConn(x)) x.c.say(q.name, text);
    },
  },
  {
    name: 'me',
    args: 'text',
    help: 'send an action ("* you text")',
    run(x, { rest }) {
      const { c, b, here } = x;
      if (!rest) return usage(x, 'me');
      if (!here) return c.info(b, '/me works in a room or a query', 'error');
      if (!c.connected) return keep(c, b, rest, true);
      c.say(here, rest, true);
    },
  },
  {
    name: 'reply',
    aliases: ['re'],
    args: 'N|NICK text',
    help: 'answer a message here: 1 the latest, 2 the one before, or NICK\'s latest (+draft/reply)',
    run(x, { rest, args }) {
      const { c, b, here } = x;
      if (!args[0] || args.length < 2) return usage(x, 'reply');
      if (!here) return c.info(b, '/reply works in a room or a query', 'error');
      const parent = pickMessage(b, args[0], (s) => c.fold(s));
      if (parent === undefined) return c.info(b, `No message ${args[0]} to reply to here (1 is the latest; only messages with an id count)`, 'error');
      if (!needConn(x)) return;
      c.say(here, rest.slice(args[0].length).trim(), false, parent.msgid);
    },
  },
  {
    name: 'react',
    args: 'N|NICK emoji',
    help: `react to a message here (1 the latest, or NICK's latest), e.g. /react 1 ${QUICK_REACTIONS[0]}; again takes it back`,
    run(x, { args }) {
      const { c, b, here } = x;
      if (args.length !== 2) return usage(x, 'react');
      if (!here) return c.info(b, '/react works in a room or a query', 'error');
      const line = pickMessage(b, args[0]!, (s) => c.fold(s));
      if (line === undefined) return c.info(b, `No message ${args[0]} to react to here (1 is the latest; only messages with an id count)`, 'error');
      const why = c.react(b, line, args[1]!);
      if (why !== null) c.info(b, why, 'error');
    },
  },
  {
    name: 'nick',
    args: 'NAME',
    help: 'change your nick',
    run(x, { args }) {
      if (!args[0]) return usage(x, 'nick');
      if (!needConn(x)) return;
      x.c.send('NICK', args[0]);
    },
  },
  {
    name: 'topic',
    args: '[text]',
    help: 'show or set the room topic',
    run(x, { rest }) {
      const { c, b, here } = x;
      if (!here || !c.isChannel(here)) return c.info(b, '/topic works in a room', 'error');
      if (!rest) return c.info(b, b.topic ? `Topic: ${b.topic}` : 'No topic is set', 'topic');
      if (!needConn(x)) return;
      c.send('TOPIC', here, rest);
    },
  },
  {
    name: 'names',
    args: '[#room]',
    help: 'list who is in the room',
    run(x, { args }) {
      const chan = args[0] ?? x.here;
      if (!chan) return usage(x, 'names');
      if (!needConn(x)) return;
      x.c.send('NAMES', chan);
    },
  },
  {
    name: 'who',
    args: '#room|NICK',
    help: 'list users matching',
    run(x, { args }) {
      const mask = args[0] ?? x.here;
      if (!mask) return usage(x, 'who');
      if (!needConn(x)) return;
      x.c.send('WHO', mask);
    },
  },
  {
    name: 'whois',
    aliases: ['wi'],
    args: 'NICK',
    help: 'who is this?',
    run(x, { args }) {
      if (!args[0]) return usage(x, 'whois');
      if (!needConn(x)) return;
      x.c.send('WHOIS', args[0]);
    },
  },
  {
    name: 'away',
    args: '[message]',
    help: 'mark yourself away (no message: back)',
    run(x, { rest }) {
      if (!needConn(x)) return;
      if (rest) x.c.send('AWAY', rest);
      else x.c.send('AWAY');
    },
  },
  {
    name: 'back',
    args: '',
    help: 'you are back (no longer away)',
    run(x) {
      if (!needConn(x)) return;
      x.c.send('AWAY');
    },
  },
  {
    name: 'history',
    args: '[N]',
    help: 'load the last N lines of this room (server must offer chathistory)',
    run(x, { args }) {
      const { c, b, here } = x;
      if (!here) return c.info(b, '/history works in a room or a query', 'error');
      const n = args[0] ? Number(args[0]) : 50;
      if (!Number.isInteger(n) || n < 1) return usage(x, 'history');
      if (!needConn(x)) return;
      const why = c.history(here, n);
      if (why) c.info(b, why, 'error');
    },
  },
  {
    name: 'search',
    args: '[#room] words',
    help: 'search the history of your rooms (server must offer it)',
    run(x, { rest, args }) {
      const { c, b } = x;
      if (!rest) return usage(x, 'search');
      if (!needConn(x)) return;
      const chan = args[0] !== undefined && c.isChannel(args[0]) && args.length > 1 ? args[0] : null;
      const why = c.search(chan, chan ? rest.slice(chan.length).trim() : rest);
      if (why) c.info(b, why, 'error');
    },
  },
  {
    name: 'win',
    aliases: ['w', 'window'],
    args: 'N',
    help: 'switch to window N (also Alt+1..9, Ctrl+N/P)',
    run(x, { args }) {
      const n = Number(args[0]);
      if (!Number.isInteger(n) || n < 1) return usage(x, 'win');
      x.ui.switchTo(n);
    },
  },
  {
    name: 'close',
    aliases: ['wc'],
    args: '',
    help: 'close this window (parts a room)',
    run({ c, b }) {
      if (b.kind === 'channel' && b.joined && c.connected) c.send('PART', b.name);
      c.close(b);
    },
  },
  // ---- accounts (connection.ts: REGISTER, SASL PLAIN); the password is never shown ----
  {
    name: 'register',
    args: '[PASSWORD]',
    help: 'keep your nick: make it an account (asks for the password)',
    run(x, { rest }) {
      const { c, b, ui } = x;
      if (!needConn(x)) return;
      const send = (pw: string): void => {
        const err = c.register(pw);
        if (err !== null) c.info(b, err, 'error');
        else c.info(b, `Registering ${c.nick}...`);
      };
      if (rest !== '') return send(rest);
      if (ui.askSecret === undefined) return usage(x, 'register');
      ui.askSecret(`Password for ${c.nick} (not shown): `, (pw) => {
        if (pw === null || pw === '') return c.info(b, 'Registration cancelled');
        ui.askSecret!('The same password again: ', (again) => {
          if (again === null) return c.info(b, 'Registration cancelled');
          if (again !== pw) return c.info(b, 'The two passwords differ: nothing registered (/register to try again)', 'error');
          send(pw);
        });
      });
    },
  },
  {
    name: 'login',
    aliases: ['identify'],
    args: '[ACCOUNT] [PASSWORD]',
    help: 'log in to your account (default: your nick; asks for the password)',
    run(x, { args, rest }) {
      const { c, b, ui } = x;
      if (!needConn(x)) return;
      const account = args[0] ?? c.nick;
      const send = (pw: string): void => {
        const err = c.login(account, pw);
        if (err !== null) c.info(b, err, 'error');
        else c.info(b, `Logging in as ${account}...`);
      };
      if (args.length >= 2) return send(rest.slice(account.length).trim());
      if (ui.askSecret === undefined) return usage(x, 'login');
      ui.askSecret(`Password for ${account} (not shown): `, (pw) => {
        if (pw === null || pw === '') c.info(b, 'Login cancelled');
        else send(pw);
      });
    },
  },
  {
    name: 'ignore',
    args: '[nick]',
    help: 'stop showing what nick writes (no nick: the list); remembered',
    run({ c, b }, { args: [who] }) {
      if (who === undefined) {
        const list = c.ignored;
        return c.info(b, list.length === 0 ? 'You ignore nobody. /ignore NICK to stop seeing someone.' : `Ignoring: ${list.join(', ')} (/unignore NICK to undo)`);
      }
      const r = c.ignore(who);
      if (r === 'added') c.info(b, `Ignoring ${who}: their messages are not shown (/unignore ${who} to undo)`);
      else if (r === 'already') c.info(b, `You ignore ${who} already`);
      else if (r === 'self') c.info(b, 'You cannot ignore yourself', 'error');
      else c.info(b, `You ignore ${c.ignored.length} nicks already: /unignore some first`, 'error');
    },
  },
  {
    name: 'unignore',
    args: 'nick',
    help: 'show what nick writes again',
    run(x, { args: [who] }) {
      if (who === undefined) return usage(x, 'unignore');
      if (x.c.unignore(who)) x.c.info(x.b, `No longer ignoring ${who}`);
      else x.c.info(x.b, `You are not ignoring ${who}`, 'error');
    },
  },
  {
    name: 'admin',
    args: 'CODE | command',
    help: "become the server's admin with the code from its join card; then /admin help",
    run(x, { rest, args }) {
      if (rest === '') return usage(x, 'admin');
      if (!needConn(x)) return;
      // one word that reads as a code is claimed; anything else is an admin command (SA)
      if (args.length === 1 && /^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/.test(args[0]!)) x.c.send('CLAIM', args[0]!);
      else x.c.send('SA', rest);
    },
  },
  {
    name: 'raw',
    aliases: ['quote'],
    args: 'LINE',
    help: 'send an IRC line as is; replies are shown raw',
    run(x, { rest }) {
      const { c, b } = x;
      if (!rest) return usage(x, 'raw');
      if (!c.sendLine(rest)) c.info(b, `Not connected to ${c.label}`, 'error');
      else c.info(c.server, `-> ${rest}`);
    },
  },
  {
    name: 'reconnect',
    args: '',
    help: 'drop the connection and connect again',
    run({ c, b }) {
      c.info(b, 'Reconnecting...');
      if (c.state === 'closed' || c.state === 'disconnected') c.connect();
      else c.disconnect();
    },
  },
  {
    name: 'help',
    aliases: ['h'],
    args: '[command]',
    help: 'this list, or more about one command',
    run({ c, b }, { args }) {
      if (args[0] !== undefined) {
        const rows = COMMANDS.helpFor(args[0], '  ');
        if (rows === null) c.info(b, `There is no command /${args[0].replace(/^\//, '')} (type /help for the list)`, 'error');
        else for (const r of rows) c.info(b, r);
        return;
      }
      c.info(b, 'Commands:');
      for (const r of COMMANDS.helpRows('  ', 27)) c.info(b, r);
      c.info(b, 'Keys: Alt+1..9 or Ctrl+N/P switch windows, PgUp/PgDn scroll, Up/Down history, Tab completes, Ctrl+C quits');
    },
  },
  {
    name: 'upload',
    aliases: ['share'],
    args: 'PATH',
    help: 'share a file with this room or conversation (the server gives it a link)',
    run(x, { rest }) {
      const path = rest.trim().replace(/^(["'])(.*)\1$/, '$2');
      if (path === '') return usage(x, 'upload');
      if (x.here === null) return x.c.info(x.b, 'Open a room or a conversation first: the file goes to the window you are in', 'error');
      if (x.ui.upload === undefined) return x.c.info(x.b, 'This client cannot upload files', 'error');
      if (!needConn(x)) return;
      x.ui.upload(path, x.here);
    },
  },
  {
    name: 'quit',
    aliases: ['exit'],
    args: '[message]',
    help: 'leave',
    run({ c, ui }, { rest }) {
      c.quit(rest || 'Leaving');
      ui.exit();
    },
  },
];

export const COMMANDS: CommandTable<ClientCommandContext> = new CommandTable(SPECS);

/** Command names with their aliases, for completion. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.names;

/** Runs one line of user input. */
export function runInput(c: IrcClient, input: string, ui: CommandUi): void {
  const line = input.replace(/[\r\n]+/g, ' ');
  if (line.trim() === '') return;
  const b = c.active;
  const cmd = parseCommandLine(line);
  if (cmd === null) {
    // a message keeps its line breaks (a paste: one multiline message, or one line each)
    const text = input.startsWith('//') ? input.slice(1) : input;
    if (b.kind === 'server') {
      c.info(b, 'This is the server window: /join #room or /query NICK first (/help for commands)', 'error');
      return;
    }
    if (!c.connected) return keep(c, b, text, false);
    c.say(b.name, text);
    return;
  }
  const spec = COMMANDS.get(cmd.name);
  if (spec === undefined) {
    c.info(b, `Unknown command /${cmd.name} (type /help for the list, //text to send a line starting with /)`, 'error');
    return;
  }
  spec.run({ c, ui, b, here: b.kind === 'server' ? null : b.name }, cmd);
}
