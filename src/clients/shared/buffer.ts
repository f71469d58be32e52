/**
 * Client-side buffers: one per server (status), channel and private query. A buffer
 * holds its recent lines (bounded), members with their prefixes (@, +), topic, and the
 * unread and mention counters the status line shows. Pure data, no I/O.
 */
import { TypingList, type Quote, type Reaction } from './client-tags.js';

export type BufferKind = 'server' | 'channel' | 'query';

export type LineKind =
  | 'message'
  | 'action'
  | 'notice'
  | 'join'
  | 'part'
  | 'quit'
  | 'kick'
  | 'nick'
  | 'topic'
  | 'mode'
  | 'info'
  | 'error';

/** One line in a buffer, already made readable (never a raw protocol line unless /raw asked). */
export interface ChatLine {
  /** unique in this page or process: a stable key for views */
  id: number;
  time: Date;
  kind: LineKind;
  /** who said it (message, action, notice) or who it is about */
  nick?: string;
  text: string;
  /** we sent it */
  self: boolean;
  /** it names us (highlight + bell) */
  mention: boolean;
  /** it came from CHATHISTORY (no unread count, no bell) */
  history: boolean;
  /** IRCv3 msgid, to drop duplicates when history overlaps what we saw live */
  msgid?: string;
  /** typed while disconnected: waiting to be sent on reconnect */
  pending?: boolean;
  /** the "--- N earlier messages from history ---" line (a view with paging may hide it) */
  marker?: boolean;
  /** search results: the room or conversation it was said in */
  where?: string;
  /** +draft/reply: the msgid of the message this one answers */
  replyTo?: string;
  /** that message as it was when this one came (absent: not in this window then) */
  parent?: Quote;
  /** +draft/react: emoji on this message and who gave them (bounded: client-tags.ts) */
  reactions?: Reaction[];
  /** draft/message-redaction: deleted (by this nick); its text is gone */
  deleted?: string;
}

let nextLineId = 1;
/** A fresh line id. */
export function lineId(): number {
  return nextLineId++;
}

export interface Member {
  nick: string;
  /** channel status prefixes, highest first, e.g. '@' or '@+' or '' */
  prefix: string;
  /** marked away (away-notify or WHO), when known */
  away?: boolean;
}

let nextBufferId = 1;

export class ChatBuffer {
  /** stable for the life of the buffer (a query's name changes with the nick) */
  readonly id = nextBufferId++;
  lines: ChatLine[] = [];
  /** folded nick -> member */
  members = new Map<string, Member>();
  topic = '';
  unread = 0;
  mentions = 0;
  /** channel: we are in it; query: always true */
  joined: boolean;
  /** the server said there is nothing older (a page came back short) */
  historyComplete = false;
  /** history requests for this buffer not answered yet */
  historyLoading = 0;
  /** some line came from the server's history (a private chat on a server that keeps none never has one) */
  historySeen = false;
  /** who is typing here (+typing), expiring */
  readonly typing = new TypingList();

  constructor(
    public name: string,
    readonly kind: BufferKind,
    readonly maxLines = 2000,
  ) {
    this.joined = kind !== 'channel';
  }

  /** Appends a line (history lines are placed by time); drops the oldest past maxLines. */
  add(line: ChatLine): boolean {
    if (line.msgid !== undefined && this.lines.some((l) => l.msgid === line.msgid)) return false;
    if (line.history) {
      let i = this.lines.length;
      while (i > 0 && (this.lines[i - 1] as ChatLine).time.getTime() > line.time.getTime()) i--;
      this.lines.splice(i, 0, line);
    } else {
      this.lines.push(line);
    }
    this.#trimOldest();
    return true;
  }

  #trimOldest(): void {
    if (this.lines.length <= this.maxLines) return;
    this.lines.splice(0, this.lines.length - this.maxLines);
    this.historyComplete = false;
  }

  /**
   * Puts an older page of history in front of everything here, as a block (many lines
   * can share one millisecond, so placing them by time would interleave), skipping
   * lines already here. When over maxLines the newest go. Returns the lines added.
   */
  prepend(page: readonly ChatLine[]): ChatLine[] {
    const have = new Set(this.lines.map((l) => l.msgid).filter((id) => id !== undefined));
    const fresh = page.filter((l) => l.msgid === undefined || !have.has(l.msgid));
    this.lines = [...fresh, ...this.lines];
    if (this.lines.length > this.maxLines) this.lines.length = this.maxLines;
    return fresh;
  }

  /** Appends a line as it is, even a copy of one already here (history the user asked for again). */
  append(line: ChatLine): void {
    this.lines.push(line);
    this.#trimOldest();
  }

  /** Member nicks sorted by rank (@ before + before none), then name. */
  nicks(): string[] {
    const rank = (p: string): number => (p.startsWith('~') ? 0 : p.startsWith('&') ? 1 : p.startsWith('@') ? 2 : p.startsWith('%') ? 3 : p.startsWith('+') ? 4 : 5);
    return [...this.members.values()]
      .sort((a, b) => rank(a.prefix) - rank(b.prefix) || a.nick.localeCompare(b.nick))
      .map((m) => m.nick);
  }
}
