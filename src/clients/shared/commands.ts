/**
 * What the user types, turned into actions on the client model: a plain line is a
 * message to the active room or query; `/word args` is a command from {@link COMMANDS}.
 * `//text` sends "/text" as a message. UI-only actions (switching windows, quitting
 * the program) go through the small {@link CommandUi} interface, so the terminal and
 * the browser client share this table.
 */
import type { IrcClient } from './irc-client.js';
import type { ChatBuffer } from './buffer.js';

export interface CommandUi {
  /** switch to window n (1-based) */
  switchTo(n: number): void;
  /** leave the program after the client quit */
  exit(): void;
}

export interface CommandInfo {
  name: string;
  usage: string;
  help: string;
}

export const COMMANDS: readonly CommandInfo[] = [
  { name: 'join', usage: '/join #room [key]', help: 'join a room (and switch to it)' },
  { name: 'part', usage: '/part [#room] [reason]', help: 'leave a room (default: this one)' },
  { name: 'msg', usage: '/msg NICK|#room text', help: 'send a message without switching' },
  { name: 'query', usage: '/query NICK [text]', help: 'open a private conversation' },
  { name: 'me', usage: '/me text', help: 'send an action ("* you text")' },
  { name: 'nick', usage: '/nick NAME', help: 'change your nick' },
  { name: 'topic', usage: '/topic [text]', help: 'show or set the room topic' },
  { name: 'names', usage: '/names [#room]', help: 'list who is in the room' },
  { name: 'who', usage: '/who #room|NICK', help: 'list users matching' },
  { name: 'whois', usage: '/whois NICK', help: 'who is this?' },
  { name: 'away', usage: '/away [message]', help: 'mark yourself away (no message: back)' },
  { name: 'history', usage: '/history [N]', help: 'load the last N lines of this room (server must offer chathistory)' },
  { name: 'search', usage: '/search [#room] words', help: 'search the history of your rooms (server must offer it)' },
  { name: 'win', usage: '/win N', help: 'switch to window N (also Alt+1..9, Ctrl+N/P)' },
  { name: 'close', usage: '/close', help: 'close this window (parts a room)' },
  { name: 'raw', usage: '/raw LINE', help: 'send an IRC line as is; replies are shown raw' },
  { name: 'reconnect', usage: '/reconnect', help: 'drop the connection and connect again' },
  { name: 'help', usage: '/help', help: 'this list' },
  { name: 'quit', usage: '/quit [message]', help: 'leave' },
];

/** Command names with their aliases, for completion. */
export const COMMAND_NAMES: readonly string[] = [...COMMANDS.map((c) => c.name), 'j', 'q', 'w', 'exit'];

/** A message typed while disconnected: kept for the reconnect, or refused saying why. */
function keep(c: IrcClient, b: ChatBuffer, text: string, action: boolean): void {
  if (c.state === 'closed') return c.info(b, 'Not connected: the message was not sent', 'error');
  if (!c.queue(b.name, text, action)) {
    return c.info(b, `Not connected, and ${c.pendingCount} messages already wait (the most kept): this one was not sent`, 'error');
  }
  if (c.pendingCount === 1) c.info(b, 'Not connected: your message is kept and will be sent when the connection is back');
}

/** Runs one line of user input. */
export function runInput(c: IrcClient, input: string, ui: CommandUi): void {
  const line = input.replace(/[\r\n]+/g, ' ');
  if (line.trim() === '') return;
  const b = c.active;
  if (!line.startsWith('/') || line.startsWith('//')) {
    const text = line.startsWith('//') ? line.slice(1) : line;
    if (b.kind === 'server') {
      c.info(b, 'This is the server window: /join #room or /query NICK first (/help for commands)', 'error');
      return;
    }
    if (!c.connected) return keep(c, b, text, false);
    c.say(b.name, text);
    return;
  }
  const sp = line.indexOf(' ');
  const cmd = (sp < 0 ? line.slice(1) : line.slice(1, sp)).toLowerCase();
  const rest = sp < 0 ? '' : line.slice(sp + 1).trim();
  const args = rest.split(/\s+/).filter(Boolean);
  const here = b.kind === 'server' ? null : b.name;
  const needConn = (): boolean => {
    if (c.connected) return true;
    c.info(b, `Not connected to ${c.label}`, 'error');
    return false;
  };
  const usage = (name: string): void => {
    c.info(b, `Usage: ${COMMANDS.find((x) => x.name === name)?.usage ?? '/' + name}`, 'error');
  };

  switch (cmd) {
    case 'join':
    case 'j': {
      if (!args[0]) return usage('join');
      if (!needConn()) return;
      const chan = c.isChannel(args[0]) ? args[0] : `#${args[0]}`;
      const existing = c.find(chan);
      if (existing?.joined) return c.setActive(existing);
      c.join(chan, args[1]);
      return;
    }
    case 'part':
    case 'leave': {
      let chan = here;
      let reason = rest;
      if (args[0] && c.isChannel(args[0])) {
        chan = args[0];
        reason = rest.slice(args[0].length).trim();
      }
      if (!chan || !c.isChannel(chan)) return usage('part');
      if (!needConn()) return;
      if (reason) c.send('PART', chan, reason);
      else c.send('PART', chan);
      return;
    }
    case 'msg':
    case 'notice': {
      if (!args[0] || args.length < 2) return usage('msg');
      if (!needConn()) return;
      const text = rest.slice(args[0].length).trim();
      if (cmd === 'notice') {
        c.send('NOTICE', args[0], text);
        c.info(c.find(args[0]) ?? b, `-> -${args[0]}- ${text}`);
      } else {
        c.say(args[0], text);
      }
      return;
    }
    case 'query':
    case 'q': {
      if (!args[0]) return usage('query');
      const q = c.buffer(args[0]);
      c.setActive(q);
      const text = rest.slice(args[0].length).trim();
      if (text && needConn()) c.say(q.name, text);
      return;
    }
    case 'me': {
      if (!rest) return usage('me');
      if (!here) return c.info(b, '/me works in a room or a query', 'error');
      if (!c.connected) return keep(c, b, rest, true);
      c.say(here, rest, true);
      return;
    }
    case 'nick':
      if (!args[0]) return usage('nick');
      if (!needConn()) return;
      c.send('NICK', args[0]);
      return;
    case 'topic':
      if (!here || !c.isChannel(here)) return c.info(b, '/topic works in a room', 'error');
      if (!rest) return c.info(b, b.topic ? `Topic: ${b.topic}` : 'No topic is set', 'topic');
      if (!needConn()) return;
      c.send('TOPIC', here, rest);
      return;
    case 'names': {
      const chan = args[0] ?? here;
      if (!chan) return usage('names');
      if (!needConn()) return;
      c.send('NAMES', chan);
      return;
    }
    case 'who': {
      const mask = args[0] ?? here;
      if (!mask) return usage('who');
      if (!needConn()) return;
      c.send('WHO', mask);
      return;
    }
    case 'whois':
    case 'wi':
      if (!args[0]) return usage('whois');
      if (!needConn()) return;
      c.send('WHOIS', args[0]);
      return;
    case 'away':
    case 'back':
      if (!needConn()) return;
      if (rest && cmd === 'away') c.send('AWAY', rest);
      else c.send('AWAY');
      return;
    case 'history': {
      if (!here) return c.info(b, '/history works in a room or a query', 'error');
      const n = args[0] ? Number(args[0]) : 50;
      if (!Number.isInteger(n) || n < 1) return usage('history');
      if (!needConn()) return;
      const why = c.history(here, n);
      if (why) c.info(b, why, 'error');
      return;
    }
    case 'search': {
      if (!rest) return usage('search');
      if (!needConn()) return;
      const chan = args[0] !== undefined && c.isChannel(args[0]) && args.length > 1 ? args[0] : null;
      const why = c.search(chan, chan ? rest.slice(chan.length).trim() : rest);
      if (why) c.info(b, why, 'error');
      return;
    }
    case 'win':
    case 'w':
    case 'window': {
      const n = Number(args[0]);
      if (!Number.isInteger(n) || n < 1) return usage('win');
      ui.switchTo(n);
      return;
    }
    case 'close':
    case 'wc':
      if (b.kind === 'channel' && b.joined && c.connected) c.send('PART', b.name);
      c.close(b);
      return;
    case 'raw':
    case 'quote':
      if (!rest) return usage('raw');
      if (!c.sendLine(rest)) c.info(b, `Not connected to ${c.label}`, 'error');
      else c.info(c.server, `-> ${rest}`);
      return;
    case 'reconnect':
      c.info(b, 'Reconnecting...');
      if (c.state === 'closed' || c.state === 'disconnected') c.connect();
      else c.disconnect();
      return;
    case 'help':
    case 'h':
      c.info(b, 'Commands:');
      for (const x of COMMANDS) c.info(b, `  ${x.usage.padEnd(26)} ${x.help}`);
      c.info(b, 'Keys: Alt+1..9 or Ctrl+N/P switch windows, PgUp/PgDn scroll, Up/Down history, Tab completes, Ctrl+C quits');
      return;
    case 'quit':
    case 'exit':
      c.quit(rest || 'Leaving');
      ui.exit();
      return;
    default:
      c.info(b, `Unknown command /${cmd} (type /help for the list, //text to send a line starting with /)`, 'error');
  }
}
