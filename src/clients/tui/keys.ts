/**
 * Terminal input bytes -> key events. Understands what xterm, tmux, the Linux console
 * and VT100 send: CSI and SS3 sequences (arrows, Home/End, PgUp/PgDn, Delete, with
 * modifiers), Alt+key as ESC+key, Ctrl+letter, bracketed paste, UTF-8 text. An ESC
 * alone at the end of a chunk is the Escape key. Pure.
 */
export interface Key {
  /** 'char' for text, otherwise a key name: up down left right home end pageup pagedown
   * delete insert enter tab backspace escape, or 'paste' */
  name: string;
  /** the text for 'char' and 'paste' */
  ch?: string;
  ctrl: boolean;
  meta: boolean;
  shift: boolean;
}

const CSI_TILDE: Record<string, string> = { '1': 'home', '2': 'insert', '3': 'delete', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end' };
const CSI_FINAL: Record<string, string> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Z: 'tab' };

function key(name: string, o: Partial<Key> = {}): Key {
  return { name, ctrl: false, meta: false, shift: false, ...o };
}

/** A bracketed paste is kept up to this many characters (the editor keeps less). */
export const MAX_PASTE_CHARS = 256 * 1024;

export class KeyParser {
  #paste: string | null = null;

  /** Parses one chunk of input (a string decoded as UTF-8). */
  feed(data: string): Key[] {
    const out: Key[] = [];
    let i = 0;
    while (i < data.length) {
      if (this.#paste !== null) {
        const end = data.indexOf('\x1b[201~', i);
        if (end < 0) {
          this.#paste = (this.#paste + data.slice(i)).slice(0, MAX_PASTE_CHARS);
          return out;
        }
        this.#paste = (this.#paste + data.slice(i, end)).slice(0, MAX_PASTE_CHARS);
        out.push(key('paste', { ch: this.#paste }));
        this.#paste = null;
        i = end + 6;
        continue;
      }
      const c = data[i] as string;
      if (c === '\x1b') {
        const next = data[i + 1];
        if (next === undefined) {
          out.push(key('escape'));
          i++;
          continue;
        }
        if (next === '[' || next === 'O') {
          // CSI: params (0x30-0x3f), intermediates, final (0x40-0x7e)
          let j = i + 2;
          while (j < data.length && /[0-9;?<]/.test(data[j] as string)) j++;
          const fin = data[j];
          if (fin === undefined) {
            i = data.length;
            continue;
          }
          const params = data.slice(i + 2, j);
          i = j + 1;
          if (next === '[' && params === '200' && fin === '~') {
            this.#paste = '';
            continue;
          }
          const parts = params.split(';');
          const mod = Number(parts[1] ?? '1') - 1;
          const mods = { shift: (mod & 1) !== 0, meta: (mod & 2) !== 0, ctrl: (mod & 4) !== 0 };
          let name: string | undefined;
          if (fin === '~') name = CSI_TILDE[parts[0] ?? ''];
          else name = CSI_FINAL[fin];
          if (fin === 'Z') mods.shift = true;
          if (name) out.push(key(name, mods));
          continue;
        }
        // Alt+key
        i += 1;
        const sub = this.feed(String.fromCodePoint(data.codePointAt(i)!));
        i += String.fromCodePoint(data.codePointAt(i)!).length;
        for (const k of sub) out.push({ ...k, meta: true });
        continue;
      }
      const code = c.charCodeAt(0);
      i++;
      if (c === '\r' || c === '\n') out.push(key('enter'));
      else if (c === '\t') out.push(key('tab'));
      else if (code === 0x7f || code === 0x08) out.push(key('backspace'));
      else if (code === 0) out.push(key('space', { ctrl: true }));
      else if (code < 0x20) out.push(key(String.fromCharCode(code + 0x60), { ctrl: true }));
      else {
        // gather a run of printable text
        let j = i - 1;
        while (j < data.length && (data.charCodeAt(j) >= 0x20 && data.charCodeAt(j) !== 0x7f) && data[j] !== '\x1b') j++;
        const text = data.slice(i - 1, j);
        i = j;
        for (const ch of text) out.push(key('char', { ch }));
      }
    }
    return out;
  }
}
