/**
 * Slash commands typed into the web client's composer, the same set the terminal
 * client offers (src/clients/shared/commands.ts: /join /part /msg /query /me /nick
 * /topic /names /who /whois /away /history /search /win /close /raw /reconnect /help
 * /quit), plus a few web conveniences (/back /notice /invite /kick /mode /list /clear).
 * Text without a leading '/' (or starting with '//') is said in the active buffer; while
 * disconnected it waits in the model's outbox. Runs on the shared client model
 * (src/clients/shared/irc-client.ts); DOM-free, unit-tested in test/unit/web/.
 */
import type { IrcClient } from '../shared/irc-client.js';
import type { ChatBuffer, Member } from '../shared/buffer.js';

export interface CommandHelp {
  name: string;
  args: string;
  help: string;
  aliases?: string[];
}

export const COMMANDS: readonly CommandHelp[] = [
  { name: 'join', args: '#room [key]', help: 'join a room (creates it if new)', aliases: ['j'] },
  { name: 'part', args: '[#room] [reason]', help: 'leave a room', aliases: ['leave'] },
  { name: 'msg', args: 'nick message', help: 'send a private message' },
  { name: 'query', args: 'nick [message]', help: 'open a private conversation', aliases: ['q'] },
  { name: 'me', args: 'action', help: 'describe an action (* you wave)' },
  { name: 'nick', args: 'newnick', help: 'change your nickname' },
  { name: 'topic', args: '[text]', help: "show or set the room's topic" },
  { name: 'away', args: '[message]', help: 'mark yourself away (no message: back)' },
  { name: 'back', args: '', help: 'mark yourself back' },
  { name: 'who', args: '#room|nick', help: 'list users matching' },
  { name: 'whois', args: 'nick', help: 'who is that?', aliases: ['wi'] },
  { name: 'names', args: '[#room]', help: 'list the people in a room' },
  { name: 'notice', args: 'target text', help: 'send a notice' },
  { name: 'invite', args: 'nick [#room]', help: 'invite someone to a room' },
  { name: 'kick', args: 'nick [reason]', help: 'remove someone from the room (operators)' },
  { name: 'mode', args: 'target modes', help: 'set modes (operators)' },
  { name: 'list', args: '', help: 'list rooms on the server' },
  { name: 'history', args: '[N]', help: 'load the last N lines of this room (server must offer chathistory)' },
  { name: 'search', args: 'words', help: 'search the history (server must offer SEARCH)' },
  { name: 'win', args: 'N', help: 'switch to window N (also Alt+1..9)', aliases: ['w', 'window'] },
  { name: 'clear', args: '', help: 'clear this window' },
  { name: 'close', args: '', help: 'close this window (leaves the room)', aliases: ['wc'] },
  { name: 'upload', args: '', help: 'share a file with this room (or drop one on the page, or paste an image)', aliases: ['share'] },
  { name: 'ignore', args: '[nick]', help: 'stop showing what nick writes (no nick: the list); remembered' },
  { name: 'unignore', args: 'nick', help: 'show what nick writes again' },
  { name: 'admin', args: 'CODE | command', help: "become the server's admin with the code from its join card; then /admin help" },
  { name: 'raw', args: 'LINE', help: 'send an IRC line as is', aliases: ['quote'] },
  { name: 'reconnect', args: '', help: 'drop the connection and connect again' },
  // accounts (account.tsx has the forms); lines with a password are not recalled by ↑
  { name: 'register', args: 'PASSWORD', help: 'keep your nick: make it an account ("Keep this name" does it too)' },
  { name: 'login', args: 'ACCOUNT PASSWORD', help: 'log in to your account ("Log in" does it too)', aliases: ['identify'] },
  { name: 'quit', args: '[message]', help: 'leave (forgets your nick on this device)', aliases: ['exit'] },
  { name: 'help', args: '', help: 'this list', aliases: ['h'] },
];

const ALIASES = new Map<string, string>();
for (const c of COMMANDS) for (const a of [c.name, ...(c.aliases ?? [])]) ALIASES.set(a, c.name);

/** Splits "a b rest of text" into the first n words and the rest. */
function words(s: string, n: number): string[] {
  const out: string[] = [];
  let rest = s.trimStart();
  while (out.length < n && rest !== '') {
    const i = rest.indexOf(' ');
    if (i === -1) {
      out.push(rest);
      rest = '';
    } else {
      out.push(rest.slice(0, i));
      rest = rest.slice(i + 1).trimStart();
    }
  }
  out.push(rest);
  return out;
}

export interface CommandResult {
  /** the UI should do this (only the UI can) */
  ui?: 'quit' | 'help' | 'upload';
}

/** Server first, then channels, then private conversations, each alphabetically. */
export function orderedBuffers(c: IrcClient): ChatBuffer[] {
  const rank = { server: 0, channel: 1, query: 2 } as const;
  return [...c.buffers].sort((a, b) => rank[a.kind] - rank[b.kind] || c.fold(a.name).localeCompare(c.fold(b.name)));
}

/** Members sorted by rank (ops, voiced, others) then nick. */
export function sortedMembers(c: IrcClient, b: ChatBuffer): Member[] {
  return b.nicks().map((n) => b.members.get(c.fold(n))!);
}

/** Channels we are in or want to be in (remembered across reloads). */
export function wantedChannels(c: IrcClient): string[] {
  return c.buffers.filter((b) => b.kind === 'channel' && b.joined).map((b) => b.name);
}

/** Joins a room and shows it (at once when already in it). */
export function joinAndFocus(c: IrcClient, room: string, key?: string): void {
  const b = c.find(room);
  if (b !== undefined && b.joined && c.connected) return c.setActive(b);
  c.join(room, key);
}

/** Opens (and shows) a private conversation. */
export function openQuery(c: IrcClient, nick: string): ChatBuffer {
  const b = c.buffer(nick);
  c.setActive(b);
  return b;
}

/** Closes a window, leaving the room first. */
export function closeBuffer(c: IrcClient, b: ChatBuffer): void {
  if (b.kind === 'server') return;
  if (b.kind === 'channel' && b.joined && c.connected) c.send('PART', b.name);
  c.close(b);
}

function note(c: IrcClient, text: string, kind: 'info' | 'error' = 'info'): void {
  c.info(c.active, text, kind);
}

/** A message: sent, or kept for the reconnect while disconnected. `replyTo`: the msgid it answers. */
function say(c: IrcClient, target: string, text: string, action = false, replyTo?: string): void {
  if (c.connected) return c.say(target, text, action, replyTo);
  const b = c.buffer(target);
  if (c.state === 'closed') return c.info(b, 'Not connected: the message was not sent', 'error');
  if (!c.queue(target, text, action)) return c.info(b, `Not connected, and ${c.pendingCount} messages already wait: this one was not sent`, 'error');
  if (c.pendingCount === 1) c.info(b, 'Not connected: your message is kept and will be sent when the connection is back');
}

/** Runs what the user typed in the active buffer; `replyTo`: a message there it answers (a plain line only). */
export function runInput(client: IrcClient, input: string, opts: { replyTo?: string } = {}): CommandResult {
  const b = client.active;
  if (!input.startsWith('/') || input.startsWith('//')) {
    const text = input.startsWith('//') ? input.slice(1) : input;
    if (text.trim() === '') return {};
    if (b.kind === 'server') {
      note(client, 'This is the server window: type /join #room, or /help', 'error');
      return {};
    }
    say(client, b.name, text, false, opts.replyTo);
    return {};
  }
  const [word = '', rest = ''] = words(input.slice(1), 1);
  const name = ALIASES.get(word.toLowerCase());
  const here = b.kind === 'server' ? null : b.name;
  const needHere = (): string | null => {
    if (here === null) note(client, `/${word} needs a room or conversation: switch to one first`, 'error');
    return here;
  };
  switch (name) {
    case 'join': {
      const [chan = '', key = ''] = words(rest, 1);
      if (chan === '') return usage(client, 'join');
      const room = client.isChannel(chan) ? chan : '#' + chan;
      if (key.trim() === '') joinAndFocus(client, room);
      else joinAndFocus(client, room, key.trim());
      return {};
    }
    case 'part': {
      const [first = '', more = ''] = words(rest, 1);
      const part = (chan: string, reason: string): void => {
        const pb = client.find(chan);
        // a room we are not in (any more): just close its window
        if (pb !== undefined && !pb.joined) return client.close(pb);
        if (reason === '') client.send('PART', chan);
        else client.send('PART', chan, reason);
      };
      if (client.isChannel(first)) part(first, more);
      else if (here !== null && b.kind === 'channel') part(here, rest);
      else if (b.kind === 'query') client.close(b);
      else return usage(client, 'part');
      return {};
    }
    case 'msg': {
      const [target = '', text = ''] = words(rest, 1);
      if (target === '' || text === '') return usage(client, 'msg');
      say(client, target, text);
      if (!client.isChannel(target)) openQuery(client, target);
      return {};
    }
    case 'query': {
      const [target = '', text = ''] = words(rest, 1);
      if (target === '') return usage(client, 'query');
      if (client.isChannel(target)) {
        joinAndFocus(client, target);
        return {};
      }
      openQuery(client, target);
      if (text !== '') say(client, target, text);
      return {};
    }
    case 'me': {
      const t = needHere();
      if (t === null) return {};
      say(client, t, rest, true);
      return {};
    }
    case 'nick':
      if (rest.trim() === '') return usage(client, 'nick');
      client.send('NICK', rest.trim());
      return {};
    case 'topic': {
      const [first = '', more = ''] = words(rest, 1);
      if (client.isChannel(first)) {
        if (more === '') client.send('TOPIC', first);
        else client.send('TOPIC', first, more);
        return {};
      }
      const t = needHere();
      if (t === null) return {};
      if (rest === '') note(client, b.topic === '' ? 'No topic is set' : `Topic: ${b.topic}`);
      else client.send('TOPIC', t, rest);
      return {};
    }
    case 'away':
      if (rest.trim() === '') client.send('AWAY');
      else client.send('AWAY', rest.trim());
      return {};
    case 'back':
      client.send('AWAY');
      return {};
    case 'who': {
      const t = rest.trim() || needHere();
      if (t !== null) client.send('WHO', t);
      return {};
    }
    case 'history': {
      if (b.kind === 'server') return usage(client, 'history');
      const n = rest.trim() === '' ? 50 : Number(rest.trim());
      if (!Number.isInteger(n) || n < 1) return usage(client, 'history');
      const why = client.history(b.name, n);
      if (why !== null) note(client, why, 'error');
      return {};
    }
    case 'win': {
      const n = Number(rest.trim());
      const list = orderedBuffers(client);
      const to = Number.isInteger(n) ? list[n - 1] : undefined;
      if (to === undefined) return usage(client, 'win');
      client.setActive(to);
      return {};
    }
    case 'reconnect':
      note(client, 'Reconnecting…');
      client.reconnect();
      return {};
    case 'whois':
      if (rest.trim() === '') return usage(client, 'whois');
      client.send('WHOIS', rest.trim());
      return {};
    case 'names': {
      const t = rest.trim() || needHere();
      if (t === null) return {};
      const tb = client.find(t);
      if (tb !== undefined && tb.members.size > 0) {
        note(client, `In ${tb.name}: ${sortedMembers(client, tb).map((m) => m.prefix + m.nick + (m.away === true ? ' (away)' : '')).join(', ')}`);
      } else client.send('NAMES', t);
      return {};
    }
    case 'notice': {
      const [target = '', text = ''] = words(rest, 1);
      if (target === '' || text === '') return usage(client, 'notice');
      client.send('NOTICE', target, text);
      client.info(client.find(target) ?? b, `-> -${target}- ${text}`);
      return {};
    }
    case 'invite': {
      const [nick = '', chan = ''] = words(rest, 1);
      const room = chan.trim() || (b.kind === 'channel' ? b.name : '');
      if (nick === '' || room === '') return usage(client, 'invite');
      client.send('INVITE', nick, room);
      return {};
    }
    case 'kick': {
      const [nick = '', reason = ''] = words(rest, 1);
      if (nick === '' || b.kind !== 'channel') return usage(client, 'kick');
      if (reason === '') client.send('KICK', b.name, nick);
      else client.send('KICK', b.name, nick, reason);
      return {};
    }
    case 'mode': {
      const parts = rest.trim().split(/\s+/).filter((x) => x !== '');
      if (parts.length === 0) return usage(client, 'mode');
      if (parts[0]!.startsWith('+') || parts[0]!.startsWith('-')) {
        const t = needHere();
        if (t === null) return {};
        parts.unshift(t);
      }
      client.send('MODE', ...parts);
      return {};
    }
    case 'ignore': {
      const who = rest.trim().split(/\s+/)[0] ?? '';
      if (who === '') {
        const list = client.ignored;
        note(client, list.length === 0 ? 'You ignore nobody. /ignore NICK to stop seeing someone.' : `Ignoring: ${list.join(', ')} (/unignore NICK to undo)`);
        return {};
      }
      const r = client.ignore(who);
      if (r === 'added') note(client, `Ignoring ${who}: their messages are not shown (/unignore ${who} to undo)`);
      else if (r === 'already') note(client, `You ignore ${who} already`);
      else note(client, r === 'self' ? 'You cannot ignore yourself' : `You ignore ${client.ignored.length} nicks already: /unignore some first`, 'error');
      return {};
    }
    case 'unignore': {
      const who = rest.trim().split(/\s+/)[0] ?? '';
      if (who === '') return usage(client, 'unignore');
      if (client.unignore(who)) note(client, `No longer ignoring ${who}`);
      else note(client, `You are not ignoring ${who}`, 'error');
      return {};
    }
    case 'admin': {
      const text = rest.trim();
      if (text === '') return usage(client, 'admin');
      if (!client.connected) {
        note(client, 'Not connected', 'error');
        return {};
      }
      // one word that reads as a code is claimed; anything else is an admin command (SA)
      if (/^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/.test(text)) client.send('CLAIM', text);
      else client.send('SA', text);
      return {};
    }
    case 'list':
      client.send('LIST');
      note(client, 'The room list appears in the server window');
      return {};
    case 'search':
      if (rest.trim() === '') return usage(client, 'search');
      {
        const why = client.search(b.kind === 'channel' ? b.name : null, rest.trim());
        if (why !== null) note(client, why, 'error');
      }
      return {};
    case 'clear':
      b.lines = [];
      b.historyComplete = false;
      note(client, 'Cleared');
      return {};
    case 'close':
      if (b.kind === 'server') note(client, 'The server window stays open', 'error');
      else closeBuffer(client, b);
      return {};
    case 'raw':
      if (rest.trim() === '') return usage(client, 'raw');
      if (!client.sendLine(rest.trim())) note(client, 'Not connected', 'error');
      return {};
    case 'register': {
      if (rest.trim() === '') return usage(client, 'register');
      const why = client.register(rest.trim());
      note(client, why ?? `Registering ${client.nick}...`, why === null ? 'info' : 'error');
      return {};
    }
    case 'login': {
      const [account = '', pw = ''] = words(rest, 1);
      if (account === '' || pw.trim() === '') return usage(client, 'login');
      const why = client.login(account, pw.trim());
      note(client, why ?? `Logging in as ${account}...`, why === null ? 'info' : 'error');
      return {};
    }
    case 'upload':
      if (b.kind === 'server') {
        note(client, 'Open a room or a conversation first: the file goes to the window you are in', 'error');
        return {};
      }
      return { ui: 'upload' };
    case 'quit':
      return { ui: 'quit' };
    case 'help':
      for (const c of COMMANDS) note(client, `/${c.name} ${c.args} — ${c.help}`);
      return { ui: 'help' };
    default:
      note(client, `Unknown command /${word}: type /help for the list, or //text to send text starting with /`, 'error');
      return {};
  }
}

function usage(client: IrcClient, name: string): CommandResult {
  const c = COMMANDS.find((x) => x.name === name);
  note(client, `Usage: /${name} ${c?.args ?? ''}`, 'error');
  return {};
}

/** Completes the word before the cursor: a nick from the room, a /command, or a #room. */
export function complete(client: IrcClient, text: string, cursor: number): { text: string; cursor: number } | null {
  const start = text.lastIndexOf(' ', cursor - 1) + 1;
  const word = text.slice(start, cursor);
  if (word === '') return null;
  let candidates: string[];
  if (word.startsWith('/') && start === 0) candidates = COMMANDS.map((c) => '/' + c.name + ' ');
  else if (client.isChannel(word)) candidates = client.buffers.filter((x) => x.kind === 'channel').map((x) => x.name + ' ');
  else {
    const b = client.active;
    candidates = b.nicks().map((n) => n + (start === 0 ? ': ' : ' '));
    if (b.kind === 'query') candidates.push(b.name + ' ');
  }
  const lw = client.fold(word);
  const hit = candidates.find((c) => client.fold(c).startsWith(lw) && client.fold(c.trim()) !== client.fold(client.nick));
  if (hit === undefined) return null;
  const out = text.slice(0, start) + hit + text.slice(cursor);
  return { text: out, cursor: start + hit.length };
}
