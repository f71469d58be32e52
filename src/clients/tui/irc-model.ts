/**
 * Adapts the shared IRC client model to the terminal UI: bars, prompt, completion
 * sources (recent speakers first), and the commands of ../shared/commands.ts.
 */
import type { IrcClient } from '../shared/irc-client.js';
import type { ChatBuffer, ChatLine } from '../shared/buffer.js';
import { COMMAND_NAMES, runInput, type CommandUi } from '../shared/commands.js';
import type { CompletionSource } from './completion.js';
import type { TuiModel } from './model.js';
import type { Segment } from './screen.js';
import { SGR, timestamp, wireText } from './format.js';
import { sanitize } from './width.js';
import { typingText } from '../shared/client-tags.js';

/** Protocol lines kept for the --show-bytes pane. */
export const SIDE_LINES = 200;

export class IrcTuiModel implements TuiModel {
  readonly #wire: string[] = [];
  /** where our +typing went last (told "done" when the window changes) */
  #typingIn: string | null = null;
  readonly side?: () => readonly string[];

  constructor(
    readonly client: IrcClient,
    readonly now: () => Date = () => new Date(),
    /** /upload (chat.ts: tui/upload.ts) */
    readonly upload?: (path: string, to: string) => void,
    /** --show-bytes: a pane with the IRC lines sent (>>) and received (<<) */
    showBytes = false,
  ) {
    if (showBytes) {
      client.on('wire', (dir, line) => {
        this.#wire.push(wireText(dir, line));
        if (this.#wire.length > SIDE_LINES) this.#wire.splice(0, this.#wire.length - SIDE_LINES);
      });
      this.side = () => this.#wire;
    }
  }

  get buffers(): readonly ChatBuffer[] {
    return this.client.buffers;
  }
  get active(): ChatBuffer {
    return this.client.active;
  }
  setActive(b: ChatBuffer): void {
    this.client.setActive(b);
  }
  onChange(fn: () => void): () => void {
    const off = this.client.on('change', fn);
    if (this.side === undefined) return off;
    // the pane changes with every wire line (a PONG changes nothing else); render() batches per tick
    const offWire = this.client.on('wire', () => fn());
    return () => {
      off();
      offWire();
    };
  }
  onLine(fn: (b: ChatBuffer, l: ChatLine) => void): () => void {
    return this.client.on('line', fn);
  }

  top(): Segment[] {
    const b = this.client.active;
    if (b.kind === 'server') return [{ text: ` tincan chat: ${this.client.label}` }, { text: this.client.serverName ? ` (${this.client.serverName})` : '' }];
    if (b.kind === 'query') return [{ text: ` Private conversation with ${b.name}` }];
    const topic = b.topic ? sanitize(b.topic) : '(no topic)';
    return [{ text: ` ${b.name}`, style: SGR.bold }, { text: `: ${topic}` }];
  }

  status(): Segment[] {
    const c = this.client;
    const segs: Segment[] = [{ text: ` ${timestamp(this.now())} ` }];
    const state =
      c.state === 'connected'
        ? ''
        : c.state === 'disconnected'
          ? c.passwordError !== null
            ? ' (password refused: --password)'
            : ' (disconnected)'
          : c.state === 'closed'
            ? ' (closed)'
            : ' (connecting)';
    segs.push({ text: `[${c.nick}${c.away ? ' away' : ''}@${c.label}${state}] ` });
    const a = c.active;
    const idx = c.buffers.indexOf(a) + 1;
    let room = `[${idx}:${a.kind === 'server' ? 'server' : a.name}`;
    if (a.kind === 'channel') room += a.joined ? ` ${a.members.size} ${a.members.size === 1 ? 'person' : 'people'}` : ' not joined';
    segs.push({ text: room + '] ', style: SGR.bold });
    const typing = typingText(a.typing.list());
    if (typing !== '') segs.push({ text: sanitize(typing) + ' ', style: '\x1b[3m' });
    const act: Segment[] = [];
    c.buffers.forEach((b, i) => {
      if (b === a || (b.unread === 0 && b.mentions === 0)) return;
      const name = b.kind === 'server' ? 'server' : b.name;
      const counts = b.mentions > 0 ? `(${b.unread},${b.mentions}!)` : `(${b.unread})`;
      act.push({ text: `${i + 1}:${name}${counts} `, style: b.mentions > 0 ? '\x1b[1;31;46m' : '' });
    });
    if (act.length > 0) segs.push({ text: '[Act: ' }, ...act, { text: '] ' });
    const windows = c.buffers.map((b, i) => `${i + 1}:${b.kind === 'server' ? 'server' : b.name}`).join(' ');
    segs.push({ text: `[${windows}]` });
    return segs;
  }

  prompt(): string {
    const a = this.client.active;
    return a.kind === 'server' ? '> ' : `[${a.name}] `;
  }

  edited(text: string): void {
    const a = this.client.active;
    const target = a.kind === 'server' ? null : a.name;
    if (this.#typingIn !== null && this.#typingIn !== target) this.client.typingDone(this.#typingIn);
    this.#typingIn = text.trim() === '' ? null : target;
    if (target !== null) this.client.typing(target, text);
  }

  submit(text: string, ui: CommandUi): void {
    runInput(this.client, text, this.upload === undefined ? ui : { ...ui, upload: this.upload });
  }

  completion(): CompletionSource {
    const c = this.client;
    const a = c.active;
    // recent speakers first, then everyone in the room, then open queries
    const recent: string[] = [];
    for (let i = a.lines.length - 1; i >= 0 && recent.length < 50; i--) {
      const l = a.lines[i] as ChatLine;
      if (l.nick && !l.self && (l.kind === 'message' || l.kind === 'action')) recent.push(l.nick);
    }
    const present = new Set(a.nicks().map((n) => c.fold(n)));
    const nicks = [...recent.filter((n) => present.has(c.fold(n)) || a.kind === 'query'), ...a.nicks(), ...c.buffers.filter((b) => b.kind === 'query').map((b) => b.name)].filter(
      (n) => !c.isMe(n),
    );
    return {
      commands: COMMAND_NAMES,
      rooms: c.buffers.filter((b) => b.kind === 'channel').map((b) => b.name),
      nicks,
      fold: (s) => c.fold(s),
    };
  }

  quit(): void {
    this.client.quit('Leaving');
  }
}
