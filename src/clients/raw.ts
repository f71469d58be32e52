/**
 * `tincan chat tcp://HOST:PORT` (or --raw): plain lines to any socket program, such as
 * the lesson's server or `nc -l 4444`. What you type is sent with a newline; what
 * arrives is shown line by line. Data without a newline (the lesson's server sends
 * b'Your reply' and closes) is shown after a short pause or when the socket closes.
 * On a terminal this uses the full-screen UI with one window; otherwise stdin lines
 * go to the socket and received lines to stdout. Node only.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ChatBuffer, lineId, type ChatLine, type LineKind } from './shared/buffer.js';
import { Emitter } from './shared/emitter.js';
import type { CommandUi } from './shared/commands.js';
import type { CompletionSource } from './tui/completion.js';
import type { TuiModel } from './tui/model.js';
import type { Segment } from './tui/screen.js';
import { SGR, timestamp } from './tui/format.js';

/** Splits a byte stream into lines; a partial line is flushed after `idleMs` or on close. */
export class LineSplitter {
  #buf = '';
  #timer: ReturnType<typeof setTimeout> | null = null;
  constructor(
    readonly onLine: (line: string) => void,
    readonly idleMs = 300,
    readonly maxLine = 65536,
  ) {}

  push(chunk: string): void {
    this.#buf += chunk;
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      this.onLine(this.#buf.slice(0, nl).replace(/\r$/, ''));
      this.#buf = this.#buf.slice(nl + 1);
    }
    while (this.#buf.length > this.maxLine) {
      this.onLine(this.#buf.slice(0, this.maxLine));
      this.#buf = this.#buf.slice(this.maxLine);
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = this.#buf ? setTimeout(() => this.flush(), this.idleMs) : null;
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#buf) {
      const b = this.#buf;
      this.#buf = '';
      this.onLine(b.replace(/\r$/, ''));
    }
  }
}

interface RawEvents extends Record<string, unknown[]> {
  change: [];
  line: [ChatBuffer, ChatLine];
}

/** One socket, one window. */
export class RawSession extends Emitter<RawEvents> {
  readonly buffer: ChatBuffer;
  state: 'connecting' | 'open' | 'closed' = 'connecting';
  #sock: Socket;
  #split: LineSplitter;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super();
    this.buffer = new ChatBuffer(`tcp://${host}:${port}`, 'query');
    this.#split = new LineSplitter((l) => this.#add('message', l, false, 'them'));
    this.#sock = connect({ host, port });
    this.#sock.setEncoding('utf8');
    this.#sock.on('connect', () => {
      this.state = 'open';
      this.#add('info', `Connected to ${host}:${port}. What you type is sent as a line; Ctrl+C quits.`);
    });
    this.#sock.on('data', (d: string) => this.#split.push(d));
    this.#sock.on('error', (e) => this.#add('error', e.message));
    this.#sock.on('close', () => {
      this.#split.flush();
      this.state = 'closed';
      this.#add('info', 'Connection closed by the other side (Ctrl+C to leave)');
    });
  }

  #add(kind: LineKind, text: string, self = false, nick?: string): void {
    const l: ChatLine = { id: lineId(), time: new Date(), kind, text, self, mention: false, history: false };
    if (nick !== undefined) l.nick = nick;
    this.buffer.add(l);
    this.emit('line', this.buffer, l);
    this.emit('change');
  }

  send(text: string): void {
    if (this.state !== 'open') {
      this.#add('error', 'Not connected: the line was not sent');
      return;
    }
    this.#sock.write(text + '\n');
    this.#add('message', text, true, 'you');
  }

  close(): void {
    this.#sock.end();
    setTimeout(() => this.#sock.destroy(), 300).unref();
  }
}

/** The raw session as a model for the full-screen UI. */
export class RawTuiModel implements TuiModel {
  constructor(readonly s: RawSession) {}
  get buffers(): readonly ChatBuffer[] {
    return [this.s.buffer];
  }
  get active(): ChatBuffer {
    return this.s.buffer;
  }
  setActive(): void {}
  onChange(fn: () => void): () => void {
    return this.s.on('change', fn);
  }
  onLine(fn: (b: ChatBuffer, l: ChatLine) => void): () => void {
    return this.s.on('line', fn);
  }
  top(): Segment[] {
    return [{ text: ` tincan chat (raw lines): ${this.s.buffer.name}`, style: SGR.bold }];
  }
  status(): Segment[] {
    return [{ text: ` ${timestamp(new Date())} [${this.s.buffer.name} ${this.s.state}]` }];
  }
  prompt(): string {
    return '> ';
  }
  submit(text: string, ui: CommandUi): void {
    if (text === '/quit' || text === '/exit') {
      this.s.close();
      ui.exit();
      return;
    }
    this.s.send(text.startsWith('//') ? text.slice(1) : text);
  }
  completion(): CompletionSource {
    return { commands: ['quit'], rooms: [], nicks: [], fold: (x) => x };
  }
  quit(): void {
    this.s.close();
  }
}

/**
 * Line mode for tcp://: stdin lines -> socket, socket lines -> stdout (as they are).
 * Resolves when the socket closes (after stdin ended, or the peer closed).
 */
export function runRawLines(host: string, port: number, io: { stdin: Readable; stdout: Writable; stderr: Writable }): Promise<number> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.setEncoding('utf8');
    const split = new LineSplitter((l) => io.stdout.write(l + '\n'));
    let failed = false;
    sock.on('data', (d: string) => split.push(d));
    sock.on('error', (e) => {
      failed = true;
      io.stderr.write(`tincan chat: ${host}:${port}: ${e.message}\n`);
    });
    const rl = createInterface({ input: io.stdin, terminal: false });
    // net.Socket queues writes made before it connects
    rl.on('line', (line) => {
      if (!sock.destroyed) sock.write(line + '\n');
    });
    rl.on('close', () => {
      if (!sock.destroyed) sock.end();
    });
    sock.on('close', () => {
      split.flush();
      rl.close();
      resolve(failed ? 1 : 0);
    });
  });
}
