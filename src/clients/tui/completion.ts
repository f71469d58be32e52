/**
 * Tab completion of the word before the cursor: `/co` -> commands (at the start of the
 * line), `#ro` -> rooms, anything else -> nicks in this room (most recent speakers
 * first), with "nick: " when the nick starts the line. Repeated Tab cycles through the
 * matches; any other key ends the cycle. Pure.
 */
import type { LineEditor } from './line-editor.js';

export interface CompletionSource {
  commands: readonly string[];
  rooms: readonly string[];
  nicks: readonly string[];
  /** case folding for matching (IRC casemapping) */
  fold: (s: string) => string;
}

interface Cycle {
  start: number;
  matches: string[];
  index: number;
  /** text after the completed word */
  after: string;
  /** text before the word */
  before: string;
}

export class Completer {
  #cycle: Cycle | null = null;

  /** Any key other than Tab ends the cycle. */
  reset(): void {
    this.#cycle = null;
  }

  /** Completes in place; returns false when nothing matches. */
  complete(ed: LineEditor, src: CompletionSource): boolean {
    if (this.#cycle) {
      const c = this.#cycle;
      c.index = (c.index + 1) % c.matches.length;
      this.#apply(ed, c);
      return true;
    }
    const before = ed.text.slice(0, ed.cursor);
    const start = before.lastIndexOf(' ') + 1;
    const word = before.slice(start);
    if (word === '') return false;
    let candidates: string[];
    let suffix = ' ';
    let prefixChar = '';
    if (start === 0 && word.startsWith('/')) {
      candidates = src.commands.map((c) => '/' + c);
    } else if (/^[#&]/.test(word)) {
      candidates = [...src.rooms];
    } else {
      candidates = [...src.nicks];
      if (start === 0) suffix = ': ';
      if (word.startsWith('@')) prefixChar = '@';
    }
    const w = src.fold(word.slice(prefixChar.length));
    const seen = new Set<string>();
    const matches = candidates
      .filter((c) => src.fold(c).startsWith(w) && !seen.has(src.fold(c)) && seen.add(src.fold(c)))
      .map((c) => prefixChar + c + suffix);
    if (matches.length === 0) return false;
    this.#cycle = { start, matches, index: 0, before: ed.text.slice(0, start), after: ed.text.slice(ed.cursor).replace(/^ /, '') };
    this.#apply(ed, this.#cycle);
    return true;
  }

  #apply(ed: LineEditor, c: Cycle): void {
    const m = c.matches[c.index] as string;
    ed.set(c.before + m + c.after, c.before.length + m.length);
  }
}
