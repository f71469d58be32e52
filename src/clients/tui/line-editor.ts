/**
 * The input line: text, cursor (moves by grapheme, so emoji are one step), editing keys
 * (insert, Backspace, Delete, Ctrl+W/U/K, Home/End, word moves), history (Up/Down,
 * keeping the draft you were typing), and the horizontal view that keeps the cursor
 * on screen. Pure; the terminal draws what {@link LineEditor.view} returns.
 */
import { graphemes, width } from './width.js';

/**
 * A line break inside the input (a multi-line paste, Alt+Enter), drawn as one column;
 * {@link LineEditor.submit} gives it back as "\n" (the message becomes a multiline batch).
 */
export const BREAK_MARK = '\u2424';

/** Characters of one paste kept. */
export const MAX_PASTE = 64 * 1024;

export class LineEditor {
  text = '';
  /** cursor position as a UTF-16 index, always on a grapheme boundary */
  cursor = 0;
  readonly history: string[] = [];
  #histPos = -1;
  #draft = '';
  /** first visible column of the text (horizontal scroll) */
  #scroll = 0;

  constructor(readonly maxHistory = 500) {}

  #bounds(): number[] {
    const out = [0];
    let i = 0;
    for (const g of graphemes(this.text)) out.push((i += g.length));
    return out;
  }

  insert(s: string): void {
    const clean = s.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '');
    this.#put(clean);
  }

  /** A paste: its line breaks kept (as {@link BREAK_MARK}), other controls dropped, tabs as spaces. */
  paste(s: string): void {
    // (what a terminal can paste is bounded by us, not by it: 64 KiB is a long file)
    this.#put(s.slice(0, MAX_PASTE).replace(/\r\n|\r|\n/g, BREAK_MARK).replace(/\t/g, '    ').replace(/[\x00-\x1f\x7f]/g, ''));
  }

  #put(clean: string): void {
    this.text = this.text.slice(0, this.cursor) + clean + this.text.slice(this.cursor);
    this.cursor += clean.length;
  }

  left(): void {
    const b = this.#bounds();
    const i = b.indexOf(this.cursor);
    if (i > 0) this.cursor = b[i - 1] as number;
  }

  right(): void {
    const b = this.#bounds();
    const i = b.indexOf(this.cursor);
    if (i >= 0 && i < b.length - 1) this.cursor = b[i + 1] as number;
  }

  home(): void {
    this.cursor = 0;
  }

  end(): void {
    this.cursor = this.text.length;
  }

  backspace(): void {
    const start = this.cursor;
    this.left();
    this.text = this.text.slice(0, this.cursor) + this.text.slice(start);
  }

  del(): void {
    const start = this.cursor;
    this.right();
    this.text = this.text.slice(0, start) + this.text.slice(this.cursor);
    this.cursor = start;
  }

  #wordStart(): number {
    let i = this.cursor;
    while (i > 0 && this.text[i - 1] === ' ') i--;
    while (i > 0 && this.text[i - 1] !== ' ') i--;
    return i;
  }

  #wordEnd(): number {
    let i = this.cursor;
    while (i < this.text.length && this.text[i] === ' ') i++;
    while (i < this.text.length && this.text[i] !== ' ') i++;
    return i;
  }

  wordLeft(): void {
    this.cursor = this.#wordStart();
  }

  wordRight(): void {
    this.cursor = this.#wordEnd();
  }

  /** Ctrl+W: delete the word before the cursor. */
  deleteWord(): void {
    const s = this.#wordStart();
    this.text = this.text.slice(0, s) + this.text.slice(this.cursor);
    this.cursor = s;
  }

  /** Ctrl+U: delete everything before the cursor. */
  killStart(): void {
    this.text = this.text.slice(this.cursor);
    this.cursor = 0;
  }

  /** Ctrl+K: delete everything after the cursor. */
  killEnd(): void {
    this.text = this.text.slice(0, this.cursor);
  }

  /** Replaces the text (cursor at the end, or at `cursor`). */
  set(text: string, cursor = text.length): void {
    this.text = text;
    this.cursor = Math.max(0, Math.min(cursor, text.length));
  }

  /** Enter: returns the line (line breaks as "\n"), records it in history and clears the editor. */
  submit(): string {
    const line = this.text;
    const out = line.includes(BREAK_MARK) ? line.split(BREAK_MARK).join('\n') : line;
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > this.maxHistory) this.history.shift();
    }
    this.#histPos = -1;
    this.#draft = '';
    this.set('');
    this.#scroll = 0;
    return out;
  }

  /** Up: older history entry (the current draft is kept for Down). */
  historyUp(): void {
    if (this.history.length === 0) return;
    if (this.#histPos === -1) {
      this.#draft = this.text;
      this.#histPos = this.history.length - 1;
    } else if (this.#histPos > 0) this.#histPos--;
    else return;
    this.set(this.history[this.#histPos] as string);
  }

  /** Down: newer history entry, then back to the draft. */
  historyDown(): void {
    if (this.#histPos === -1) return;
    if (this.#histPos < this.history.length - 1) {
      this.#histPos++;
      this.set(this.history[this.#histPos] as string);
    } else {
      this.#histPos = -1;
      this.set(this.#draft);
    }
  }

  /**
   * What to draw in `cols` columns: the visible slice of the text and the cursor column
   * within it. Scrolls horizontally so the cursor stays visible with a little context.
   */
  view(cols: number): { text: string; cursorCol: number } {
    cols = Math.max(1, cols);
    const gs = graphemes(this.text);
    // column of each grapheme start
    const cols0: number[] = [];
    let c = 0;
    let idx = 0;
    let cursorCol = 0;
    for (const g of gs) {
      if (idx === this.cursor) cursorCol = c;
      cols0.push(c);
      c += width(g);
      idx += g.length;
    }
    if (idx === this.cursor) cursorCol = c;
    const margin = Math.min(8, Math.floor(cols / 4));
    if (cursorCol < this.#scroll + (this.#scroll > 0 ? margin : 0)) this.#scroll = Math.max(0, cursorCol - margin);
    if (cursorCol > this.#scroll + cols - 1) this.#scroll = cursorCol - (cols - 1) + margin;
    if (this.#scroll > cursorCol) this.#scroll = cursorCol;
    if (c < cols) this.#scroll = 0;
    let out = '';
    for (let i = 0; i < gs.length; i++) {
      const start = cols0[i] as number;
      const g = gs[i] as string;
      const w = width(g);
      if (start < this.#scroll) continue;
      if (start + w - this.#scroll > cols) break;
      out += g;
    }
    return { text: out, cursorCol: cursorCol - this.#scroll };
  }
}
