/**
 * The full-screen terminal app: raw-mode stdin -> keys -> editor, bindings and commands;
 * model changes -> one batched redraw (setImmediate) through {@link Screen}. Owns the
 * terminal state (alternate screen, bracketed paste, no autowrap) and restores it on
 * exit, even on an uncaught error. Node only (process streams).
 */
import type { ReadStream, WriteStream } from 'node:tty';
import type { ChatBuffer } from '../shared/buffer.js';
import { Completer } from './completion.js';
import { KeyParser, type Key } from './keys.js';
import { LineEditor } from './line-editor.js';
import type { TuiModel } from './model.js';
import { hasSecret, type CommandUi } from '../shared/commands.js';
import { layout, Screen } from './screen.js';
import { renderLine } from './format.js';

export interface TuiOptions {
  stdin: ReadStream;
  stdout: WriteStream;
  /** ring the terminal bell on mentions and private messages (default true) */
  bell?: boolean;
}

interface SecretPrompt {
  prompt: string;
  editor: LineEditor;
  then: (s: string | null) => void;
}

const ENTER = '\x1b[?1049h\x1b[?2004h\x1b[?7l\x1b[H\x1b[2J';
const LEAVE = '\x1b[?2004l\x1b[?7h\x1b[0m\x1b[?25h\x1b[?1049l';

export class TuiApp {
  readonly editor = new LineEditor();
  readonly #screen = new Screen();
  readonly #keys = new KeyParser();
  readonly #completer = new Completer();
  readonly #scroll = new WeakMap<ChatBuffer, number>();
  #pending = false;
  /** the input line and its window as last told to the model (edited) */
  #lastText = '';
  #lastWindow: ChatBuffer | null = null;
  #running = false;
  #unsub: (() => void)[] = [];
  #done!: () => void;
  readonly finished: Promise<void>;
  #clock: ReturnType<typeof setInterval> | null = null;
  /** a password being typed (/register, /login): its own editor, drawn as nothing */
  #secret: SecretPrompt | null = null;
  static readonly #HIDDEN = { view: () => ({ text: '', cursorCol: 0 }) };

  constructor(
    readonly model: TuiModel,
    readonly opts: TuiOptions,
  ) {
    this.finished = new Promise((r) => (this.#done = r));
  }

  get cols(): number {
    return this.opts.stdout.columns || 80;
  }
  get rows(): number {
    return this.opts.stdout.rows || 24;
  }

  start(): void {
    const { stdin, stdout } = this.opts;
    this.#running = true;
    stdout.write(ENTER);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const onData = (d: string): void => {
      for (const k of this.#keys.feed(d)) this.#onKey(k);
      if (this.#secret === null && (this.editor.text !== this.#lastText || this.model.active !== this.#lastWindow)) {
        this.#lastText = this.editor.text;
        this.#lastWindow = this.model.active;
        this.model.edited?.(this.#lastText);
      }
      this.render();
    };
    const onResize = (): void => {
      this.#screen.invalidate();
      stdout.write('\x1b[H\x1b[2J');
      this.render();
    };
    stdin.on('data', onData);
    stdout.on('resize', onResize);
    stdin.resume();
    this.#unsub.push(
      () => stdin.off('data', onData),
      () => stdout.off('resize', onResize),
      this.model.onChange(() => this.render()),
      this.model.onLine((b, l) => {
        if (this.opts.bell !== false && l.mention && !l.history && !l.self) stdout.write('\x07');
        // keep the view still while the user reads back
        if (b === this.model.active) {
          const s = this.#scroll.get(b) ?? 0;
          if (s > 0) this.#scroll.set(b, s + renderLine(l, this.cols).length);
        }
      }),
    );
    this.#clock = setInterval(() => this.render(), 15000);
    this.#clock.unref();
    const restore = (): void => this.#restoreTerminal();
    process.once('exit', restore);
    this.#unsub.push(() => process.off('exit', restore));
    this.render();
  }

  /** Schedules one redraw for everything that changed in this tick. */
  render(): void {
    if (!this.#running || this.#pending) return;
    this.#pending = true;
    setImmediate(() => {
      this.#pending = false;
      if (!this.#running) return;
      this.#draw();
    });
  }

  #draw(): void {
    const m = this.model;
    const b = m.active;
    const { out, scroll } = this.#screen.frame(
      {
        top: m.top(),
        lines: b.lines,
        scroll: this.#scroll.get(b) ?? 0,
        status: this.#statusWithScroll(b),
        prompt: this.#secret?.prompt ?? m.prompt(),
        editor: this.#secret === null ? this.editor : TuiApp.#HIDDEN,
        ...(m.side === undefined ? {} : { side: m.side() }),
      },
      this.cols,
      this.rows,
    );
    this.#scroll.set(b, scroll);
    this.opts.stdout.write(out);
  }

  #statusWithScroll(b: ChatBuffer): ReturnType<TuiModel['status']> {
    const s = this.#scroll.get(b) ?? 0;
    const segs = this.model.status();
    if (s > 0) segs.unshift({ text: ' -- MORE (PgDn) -- ', style: '\x1b[1;37;41m' });
    return segs;
  }

  /** Leaves the UI and restores the terminal. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const u of this.#unsub) u();
    this.#unsub = [];
    if (this.#clock) clearInterval(this.#clock);
    this.#restoreTerminal();
    this.opts.stdin.pause();
    this.#done();
  }

  #restoreTerminal(): void {
    try {
      this.opts.stdin.setRawMode(false);
    } catch {
      // stdin already closed
    }
    this.opts.stdout.write(LEAVE);
  }

  #switch(n: number): void {
    const b = this.model.buffers[n - 1];
    if (b) this.model.setActive(b);
  }

  #cycle(d: number): void {
    const bs = this.model.buffers;
    const i = bs.indexOf(this.model.active);
    const b = bs[(i + d + bs.length) % bs.length];
    if (b) this.model.setActive(b);
  }

  #scrollBy(rows: number): void {
    const b = this.model.active;
    this.#scroll.set(b, Math.max(0, (this.#scroll.get(b) ?? 0) + rows));
  }

  /** What commands may ask of the UI. */
  #ui(): CommandUi {
    return {
      switchTo: (n) => this.#switch(n),
      exit: () => this.stop(),
      askSecret: (prompt, then) => {
        this.#secret = { prompt, editor: new LineEditor(), then };
        this.render();
      },
    };
  }

  /** Keys while a password is typed: editing, Enter gives it, Esc/Ctrl+C/Ctrl+D cancel. */
  #onSecretKey(k: Key, s: SecretPrompt): void {
    const done = (v: string | null): void => {
      this.#secret = null;
      s.then(v);
    };
    if ((k.ctrl && (k.name === 'c' || k.name === 'd')) || k.name === 'escape') return done(null);
    if (k.ctrl && k.name === 'u') return s.editor.killStart();
    if (k.ctrl && k.name === 'h') return s.editor.backspace();
    switch (k.name) {
      case 'char':
      case 'paste':
        if (k.ch !== undefined) s.editor.insert(k.ch);
        return;
      case 'backspace':
        return s.editor.backspace();
      case 'enter':
        return done(s.editor.text);
    }
  }

  #onKey(k: Key): void {
    if (this.#secret !== null) return this.#onSecretKey(k, this.#secret);
    const ed = this.editor;
    if (k.name !== 'tab') this.#completer.reset();
    const page = Math.max(1, layout(this.rows).paneRows - 2);
    if (k.meta && k.name === 'char' && k.ch !== undefined && /^[0-9]$/.test(k.ch)) {
      this.#switch(k.ch === '0' ? 10 : Number(k.ch));
      return;
    }
    if (k.ctrl) {
      switch (k.name) {
        case 'c':
        case 'd':
          if (k.name === 'd' && ed.text !== '') return ed.del();
          this.model.quit();
          this.stop();
          return;
        case 'n':
          return this.#cycle(1);
        case 'p':
          return this.#cycle(-1);
        case 'a':
          return ed.home();
        case 'e':
          return ed.end();
        case 'b':
          return ed.left();
        case 'f':
          return ed.right();
        case 'w':
          return ed.deleteWord();
        case 'u':
          return ed.killStart();
        case 'k':
          return ed.killEnd();
        case 'h':
          return ed.backspace();
        case 'l':
          this.#screen.invalidate();
          this.opts.stdout.write('\x1b[H\x1b[2J');
          return;
        case 'left':
          return ed.wordLeft();
        case 'right':
          return ed.wordRight();
      }
    }
    if (k.meta) {
      switch (k.name) {
        case 'left':
          return this.#cycle(-1);
        case 'right':
          return this.#cycle(1);
        case 'char':
          if (k.ch === 'b') return ed.wordLeft();
          if (k.ch === 'f') return ed.wordRight();
          return;
      }
    }
    if (k.meta && k.name === 'enter') return ed.paste('\n');
    switch (k.name) {
      case 'char':
        if (k.ch !== undefined) ed.insert(k.ch);
        return;
      case 'paste':
        // bracketed paste: its lines stay lines (one multiline message when the server can)
        if (k.ch !== undefined) ed.paste(k.ch);
        return;
      case 'enter': {
        const line = ed.submit();
        // a password typed as an argument is not recalled by Up
        if (hasSecret(line) && ed.history[ed.history.length - 1] === line) ed.history.pop();
        this.#scroll.set(this.model.active, 0);
        this.model.submit(line, this.#ui());
        return;
      }
      case 'backspace':
        return ed.backspace();
      case 'delete':
        return ed.del();
      case 'left':
        return ed.left();
      case 'right':
        return ed.right();
      case 'home':
        return ed.home();
      case 'end':
        return ed.end();
      case 'up':
        return ed.historyUp();
      case 'down':
        return ed.historyDown();
      case 'pageup':
        return this.#scrollBy(page);
      case 'pagedown':
        return this.#scrollBy(-page);
      case 'tab':
        if (!k.shift) this.#completer.complete(ed, this.model.completion());
        return;
    }
  }
}
