/**
 * IRC from the core as readable text for one plain user: `[12:03] <alice> hi`,
 * `* bob joined #lobby`, errors as plain language (`! The name bob is already taken`).
 * Messages and membership changes are rendered here; numerics come from the table in
 * numerics.ts, except the few that drive state (the welcome, a refused guest nick,
 * the first room's topic and names, WHO and LIST collection, away), which are handled
 * by the STATEFUL table below. Everything shown goes through cleanText, so an IRC user
 * cannot send terminal escape sequences to a netcat user.
 *
 * Reactions (PONG, CTCP replies, the registration's next step) go through `later`.
 */
import type { IrcMessage } from '../../protocol/index.js';
import * as N from '../../protocol/numerics.js';
import { NUMERIC_TEXT, SILENT, SUPPRESSED_DURING_WELCOME, fillTemplate } from './numerics.js';
import type { PlainAccount } from './account.js';
import type { Registration } from './registration.js';
import type { PlainState } from './state.js';
import { cleanText, isChannel, nickOf, stamp } from './text.js';

export interface RenderHost {
  now(): Date;
  toCore(command: string, params: string[]): void;
  later(fn: () => void): void;
  /** /register and /login state (plain/account.ts) */
  readonly account: PlainAccount;
}

const people = (n: number): string => `${n} ${n === 1 ? 'person' : 'people'}`;

export class Renderer {
  readonly #st: PlainState;
  readonly #reg: Registration;
  readonly #host: RenderHost;
  #hintedPrivate = false;
  /** self-join in progress: topic and names gathered until RPL_ENDOFNAMES */
  #joining = new Map<string, { topic: string | null; names: string[] }>();
  #names = new Map<string, string[]>();
  #who: string[] | null = null;
  #list: string[] | null = null;

  /** Numerics that change or read this connection's state. */
  readonly #stateful: ReadonlyMap<string, (p: string[]) => string[]> = new Map<string, (p: string[]) => string[]>([
    [N.RPL_WELCOME, (p) => this.#welcome(p)],
    [N.ERR_NICKNAMEINUSE, (p) => this.#nickRejected(N.ERR_NICKNAMEINUSE, p)],
    [N.ERR_ERRONEUSNICKNAME, (p) => this.#nickRejected(N.ERR_ERRONEUSNICKNAME, p)],
    [N.RPL_TOPIC, (p) => this.#topic(p)],
    [N.RPL_NAMREPLY, (p) => this.#namReply(p)],
    [N.RPL_ENDOFNAMES, (p) => this.#endOfNames(p[1] ?? '')],
    [N.RPL_WHOREPLY, (p) => this.#whoReply(p)],
    [N.RPL_ENDOFWHO, (p) => this.#endOfWho(cleanText(p[1] ?? ''))],
    [N.RPL_LISTSTART, () => ((this.#list = []), [])],
    [N.RPL_LIST, (p) => this.#listEntry(p)],
    [N.RPL_LISTEND, (p) => this.#listEnd(cleanText(p[p.length - 1] ?? ''))],
    [N.RPL_UNAWAY, (p) => ((this.#st.away = false), this.#numeric(N.RPL_UNAWAY, p))],
    [N.RPL_NOWAWAY, (p) => ((this.#st.away = true), this.#numeric(N.RPL_NOWAWAY, p))],
  ]);

  constructor(state: PlainState, registration: Registration, host: RenderHost) {
    this.#st = state;
    this.#reg = registration;
    this.#host = host;
  }

  /** Readable lines for one IRC message from the core (often none). */
  render(msg: IrcMessage): string[] {
    const p = msg.params;
    const st = this.#st;
    const who = cleanText(nickOf(msg.source));
    switch (msg.command) {
      case 'PING':
        this.#host.later(() => this.#host.toCore('PONG', [p[0] ?? '']));
        return [];
      case 'PRIVMSG':
      case 'NOTICE':
        // during /rooms the server's "LIST truncated" notice is repeated in RPL_LISTEND,
        // shown after the list
        if (this.#list !== null && msg.command === 'NOTICE' && (p[1] ?? '').startsWith('*** LIST truncated')) return [];
        return this.#renderMessage(msg);
      case 'JOIN': {
        const ch = p[0] ?? '';
        if (st.isMe(nickOf(msg.source))) {
          if (st.findRoom(ch) === undefined) st.rooms.push(ch);
          st.room = ch;
          this.#joining.set(st.fold(ch), { topic: null, names: [] });
          return [];
        }
        return [`* ${who} joined ${cleanText(ch)}`];
      }
      case 'PART': {
        const ch = p[0] ?? '';
        const why = p[1] !== undefined && p[1] !== '' ? ` (${cleanText(p[1])})` : '';
        if (st.isMe(nickOf(msg.source))) return [`* You left ${cleanText(ch)}${why}`, ...this.#leftRoom(ch)];
        return [`* ${who} left ${cleanText(ch)}${why}`];
      }
      case 'KICK': {
        const ch = p[0] ?? '';
        const victim = p[1] ?? '';
        const why = p[2] !== undefined && p[2] !== '' ? ` (${cleanText(p[2])})` : '';
        if (st.isMe(victim)) return [`* ${who} kicked you from ${cleanText(ch)}${why}`, ...this.#leftRoom(ch)];
        return [`* ${who} kicked ${cleanText(victim)} from ${cleanText(ch)}${why}`];
      }
      case 'QUIT': {
        const why = p[0] !== undefined && p[0] !== '' ? ` (${cleanText(p[0])})` : '';
        return [`* ${who} left tincan${why}`];
      }
      case 'NICK': {
        const to = p[0] ?? '';
        if (st.isMe(nickOf(msg.source))) {
          st.nick = to;
          return [`* You are now known as ${cleanText(to)}`];
        }
        // an ignored nick stays ignored under its new name
        if (st.ignores(nickOf(msg.source))) {
          st.ignored.delete(st.fold(nickOf(msg.source)));
          st.ignored.set(st.fold(to), to);
        }
        return [`* ${who} is now known as ${cleanText(to)}`];
      }
      case 'TOPIC':
        return [`* ${who} changed the topic of ${cleanText(p[0] ?? '')} to: ${cleanText(p[1] ?? '')}`];
      case 'MODE': {
        const target = p[0] ?? '';
        if (!isChannel(target)) return [];
        return [`* ${who} set mode ${cleanText(p.slice(1).join(' '))} on ${cleanText(target)}`];
      }
      case 'INVITE':
        if (st.ignores(nickOf(msg.source))) return [];
        return [`* ${who} invites you to ${cleanText(p[1] ?? '')}: type /join ${cleanText(p[1] ?? '')}`];
      case 'KILL':
      case 'WALLOPS':
        return [`* ${who}: ${cleanText(p[p.length - 1] ?? '')}`];
      // accounts: the adapter's own CAP REQ sasl, SASL, standard replies (plain/account.ts)
      case 'CAP':
        return this.#host.account.cap(p);
      case 'AUTHENTICATE':
        return this.#host.account.authenticate(p);
      case 'FAIL':
        return this.#errs(this.#host.account.standardReply('FAIL', p));
      case 'WARN':
      case 'NOTE':
      case 'REGISTER':
        return this.#host.account.standardReply(msg.command, p);
      case 'ERROR': {
        const text = cleanText(p[0] ?? '');
        const m = /^Closing link: \S+ \((.*)\)$/.exec(text);
        return [`* Disconnected: ${m?.[1] ?? text}`];
      }
      default:
        if (/^\d{3}$/.test(msg.command)) return this.#renderNumeric(msg.command, p);
        return [];
    }
  }

  /** An error line (counted; the first room failing lets the user type anyway). */
  #err(line: string): string[] {
    this.#st.errors++;
    this.#reg.failed();
    return [line];
  }

  /** Lines from elsewhere, each `! ` line counted as an error. */
  #errs(lines: string[]): string[] {
    return lines.flatMap((l) => (l.startsWith('! ') ? this.#err(l) : [l]));
  }

  #renderNumeric(code: string, p: string[]): string[] {
    if (code.startsWith('90') && !this.#host.account.numeric(code, p)) return [];
    const handler = this.#stateful.get(code);
    if (handler !== undefined) return handler(p);
    if (NUMERIC_TEXT.has(code)) return this.#numeric(code, p);
    if (this.#reg.state !== 'ready' && SUPPRESSED_DURING_WELCOME.has(code)) return [];
    if (SILENT.has(code)) return [];
    const last = cleanText(p[p.length - 1] ?? '');
    if (code.startsWith('4') || code.startsWith('5')) return this.#err(`! ${last}`);
    return [`* ${last}`];
  }

  /** A numeric from the NUMERIC_TEXT table. */
  #numeric(code: string, p: string[]): string[] {
    const rule = NUMERIC_TEXT.get(code);
    if (rule === undefined) return [];
    const line = fillTemplate(rule, p, cleanText, this.#st.config().limits.nickLength);
    return line.startsWith('! ') ? this.#err(line) : [line];
  }

  #welcome(p: string[]): string[] {
    const st = this.#st;
    st.nick = p[0] ?? st.nick;
    this.#reg.welcomed();
    return [`* Welcome to tincan on ${cleanText(st.config().serverName)}! You are ${cleanText(st.nick)}.`];
  }

  #nickRejected(code: string, p: string[]): string[] {
    const mine = this.#reg.nickRejected();
    if (mine === null) return this.#numeric(code, p);
    if (mine.length > 0) this.#st.errors++;
    return mine;
  }

  #topic(p: string[]): string[] {
    const last = cleanText(p[p.length - 1] ?? '');
    const j = this.#joining.get(this.#st.fold(p[1] ?? ''));
    if (j !== undefined) {
      j.topic = last;
      return [];
    }
    return [`* Topic of ${cleanText(p[1] ?? '')}: ${last}`];
  }

  #namReply(p: string[]): string[] {
    const key = this.#st.fold(p[2] ?? '');
    const names = (p[3] ?? '').split(' ').filter((n) => n !== '');
    const j = this.#joining.get(key);
    if (j !== undefined) j.names.push(...names);
    else this.#names.set(key, [...(this.#names.get(key) ?? []), ...names]);
    return [];
  }

  #endOfNames(channel: string): string[] {
    const st = this.#st;
    const key = st.fold(channel);
    const ch = cleanText(channel);
    const j = this.#joining.get(key);
    if (j === undefined) {
      const names = this.#names.get(key) ?? [];
      this.#names.delete(key);
      return [`* In ${ch}: ${names.map(cleanText).join(', ')} (${people(names.length)})`];
    }
    this.#joining.delete(key);
    const others = j.names.map((n) => n.replace(/^[@+]+/, '')).filter((n) => !st.isMe(n));
    const lines = [
      others.length === 0
        ? `* You are in ${ch}. Nobody else is here yet.`
        : `* You are in ${ch} with ${others.map(cleanText).join(', ')} (${others.length + 1} people here).`,
    ];
    if (j.topic !== null && j.topic !== '') lines.push(`* Topic: ${j.topic}`);
    if (this.#reg.state !== 'ready') {
      lines.push(`* Type a message and press Enter to talk. /nick NAME sets your name, /help lists commands.`);
      this.#host.later(() => this.#reg.ready());
    }
    return lines;
  }

  #whoReply(p: string[]): string[] {
    // me channel user host server nick flags :hops realname
    const flags = p[6] ?? '';
    const op = flags.includes('@') ? '@' : flags.includes('+') ? '+' : '';
    const away = flags.startsWith('G') ? ' (away)' : '';
    (this.#who ??= []).push(`${op}${cleanText(p[5] ?? '')}${away}`);
    return [];
  }

  #endOfWho(mask: string): string[] {
    const list = this.#who ?? [];
    this.#who = null;
    if (list.length === 0) return [`* Nobody matches ${mask}.`];
    return [`* ${isChannel(mask) ? `In ${mask}` : 'Matching'}: ${list.join(', ')} (${people(list.length)})`];
  }

  #listEntry(p: string[]): string[] {
    const topic = cleanText(p[p.length - 1] ?? '').replace(/^\[[^\]]*\] ?/, '');
    const n = Number(p[2] ?? 0);
    (this.#list ??= []).push(`*   ${cleanText(p[1] ?? '')} (${people(n)})${topic === '' ? '' : ': ' + topic}`);
    return [];
  }

  #listEnd(last: string): string[] {
    const list = this.#list ?? [];
    this.#list = null;
    if (list.length === 0) return ['* There are no rooms yet. /join #name creates one.'];
    // "End of /LIST (truncated: ... LIST #name ...)": say it with /rooms
    const cut = last.startsWith('End of /LIST (') ? [`* ${last.slice(14, -1).replace(/LIST (#\S+)/, '/rooms $1')}`] : [];
    return ['* Rooms (/join #name to go in):', ...list, ...cut];
  }

  /** After leaving `ch`: pick another current room, or say there is none. */
  #leftRoom(ch: string): string[] {
    const st = this.#st;
    st.rooms = st.rooms.filter((r) => !st.sameRoom(r, ch));
    if (!st.sameRoom(st.room, ch)) return [];
    st.room = st.rooms[st.rooms.length - 1] ?? null;
    if (st.room !== null) return [`* Now talking in ${cleanText(st.room)}.`];
    return [`* You are not in any room now. /join ${st.config().defaultChannel} to come back.`];
  }

  #renderMessage(msg: IrcMessage): string[] {
    const notice = msg.command === 'NOTICE';
    const [target = '', raw = ''] = msg.params;
    const from = nickOf(msg.source);
    // from the server itself (or no source): a server notice
    if (msg.source === null || !msg.source.includes('!')) {
      // the upload link (core/commands/upload.ts): the command on a line of its own, to copy
      const up = /^\*\*\* Upload to (\S+): (curl -T FILE \S+)$/.exec(raw);
      if (up !== null) return [`* To share a file with ${cleanText(up[1]!)}, run this in a terminal (FILE = the file's path):`, cleanText(up[2]!)];
      return [`* ${cleanText(raw).replace(/^\*\*\* /, '')}`];
    }
    if (this.#st.ignores(from)) return []; // /ignore: dropped here, CTCP included
    const who = cleanText(from);
    const now = this.#host.now();
    const tagged = msg.tags?.get('time');
    const at = tagged === undefined ? now : new Date(tagged);
    const time = Number.isNaN(at.getTime()) ? stamp(now) : stamp(at, now);
    let text = raw;
    let action = false;
    if (text.startsWith('\x01')) {
      const body = text.slice(1, text.endsWith('\x01') ? -1 : undefined);
      const sp = body.indexOf(' ');
      const ctcp = (sp === -1 ? body : body.slice(0, sp)).toUpperCase();
      const arg = sp === -1 ? '' : body.slice(sp + 1);
      if (ctcp !== 'ACTION') {
        if (!notice) this.#ctcpReply(from, ctcp, arg);
        return [];
      }
      action = true;
      text = arg;
    }
    text = cleanText(text);
    const bare = target.replace(/^[@+]/, '');
    if (isChannel(bare)) {
      const where = this.#st.sameRoom(this.#st.room, bare) ? '' : `${cleanText(bare)} `;
      if (action) return [`${time} ${where}* ${who} ${text}`];
      return [notice ? `${time} ${where}-${who}- ${text}` : `${time} ${where}<${who}> ${text}`];
    }
    // what this user wrote to someone from another of its sessions (docs/accounts.md)
    if (this.#st.isMe(from) && !this.#st.isMe(target)) {
      const to = cleanText(target);
      return [action ? `${time} -> ${to}: * ${who} ${text}` : `${time} -> ${to}: ${text}`];
    }
    const out = [action ? `${time} (private) * ${who} ${text}` : notice ? `${time} -${who}- ${text}` : `${time} *${who}* ${text}`];
    if (!notice && !this.#hintedPrivate) {
      this.#hintedPrivate = true;
      out.push(`* (that was a private message; answer with /msg ${who} your text)`);
    }
    return out;
  }

  #ctcpReply(to: string, ctcp: string, arg: string): void {
    let reply: string | null = null;
    if (ctcp === 'VERSION') reply = 'VERSION tincan plain-text connection (netcat/telnet)';
    else if (ctcp === 'PING') reply = arg === '' ? 'PING' : `PING ${arg}`;
    else if (ctcp === 'TIME') reply = `TIME ${this.#host.now().toString()}`;
    if (reply !== null) {
      const line = `\x01${reply}\x01`;
      this.#host.later(() => this.#host.toCore('NOTICE', [to, line]));
    }
  }
}
