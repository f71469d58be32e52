/**
 * Lays out and draws the full-screen UI: a top bar (room and topic), the message pane
 * (wrapped lines, bottom-aligned, scrolled by PgUp/PgDn), the status line and the input
 * line. {@link Screen.frame} returns only the escape sequences for rows that changed
 * since the last frame, then puts the cursor back where the user is typing, so a
 * message that arrives mid-word redraws the pane without touching the input.
 */
import type { ChatLine } from '../shared/buffer.js';
import { lineVersion, renderLine, SGR } from './format.js';
import type { LineEditor } from './line-editor.js';
import { fit, wrap } from './width.js';

/** A piece of styled text for the bars (style is an SGR sequence or ''). */
export interface Segment {
  text: string;
  style?: string;
}

export interface FrameView {
  top: Segment[];
  lines: readonly ChatLine[];
  /** rows scrolled up from the bottom (0: following new lines) */
  scroll: number;
  status: Segment[];
  prompt: string;
  editor: Pick<LineEditor, 'view'>;
  /** --show-bytes: lines for a pane on the right (the newest last), already sanitized */
  side?: readonly string[];
}

/** The side pane appears only when the terminal is at least this wide. */
export const SIDE_MIN_COLS = 70;

export interface Layout {
  paneRows: number;
}

export function layout(rows: number): Layout {
  return { paneRows: Math.max(1, rows - 3) };
}

/** Renders segments into exactly `cols` columns with a base style. */
export function bar(segs: Segment[], cols: number, base: string): string {
  let out = base;
  let used = 0;
  for (const s of segs) {
    if (used >= cols) break;
    const f = fit(s.text, cols - used);
    out += (s.style ? s.style : '') + f.text + (s.style ? base : '');
    used += f.width;
  }
  return out + ' '.repeat(Math.max(0, cols - used)) + SGR.reset;
}

export class Screen {
  #prev: string[] = [];
  #cache = new WeakMap<ChatLine, { cols: number; version: string; rows: string[] }>();
  /** Forget what is on screen (after a resize or Ctrl+L): the next frame redraws all. */
  invalidate(): void {
    this.#prev = [];
  }

  #rowsOf(l: ChatLine, cols: number): string[] {
    const c = this.#cache.get(l);
    // (a reaction changes a line already drawn)
    const version = lineVersion(l);
    if (c && c.cols === cols && c.version === version) return c.rows;
    const rows = renderLine(l, cols);
    this.#cache.set(l, { cols, version, rows });
    return rows;
  }

  /** Message pane rows for `lines`, bottom-aligned, with `scroll` rows hidden below. */
  paneRows(lines: readonly ChatLine[], cols: number, paneRows: number, scroll: number): { rows: string[]; scroll: number } {
    // walk back from the end until we have enough rows (no need to wrap all history)
    const need = paneRows + scroll;
    const acc: string[][] = [];
    let count = 0;
    for (let i = lines.length - 1; i >= 0 && count < need; i--) {
      const r = this.#rowsOf(lines[i] as ChatLine, cols);
      acc.push(r);
      count += r.length;
    }
    let all: string[] = [];
    for (let i = acc.length - 1; i >= 0; i--) all = all.concat(acc[i] as string[]);
    const s = Math.min(scroll, Math.max(0, all.length - paneRows));
    const end = all.length - s;
    const rows = all.slice(Math.max(0, end - paneRows), end);
    while (rows.length < paneRows) rows.unshift('');
    return { rows, scroll: s };
  }

  /** Builds the escape sequence for one frame. Returns the clamped scroll too. */
  frame(v: FrameView, cols: number, rows: number): { out: string; scroll: number } {
    const { paneRows } = layout(rows);
    const side = v.side !== undefined && cols >= SIDE_MIN_COLS ? v.side : null;
    // with the protocol pane: two fifths of the width on the right, after a rule
    const sideCols = side === null ? 0 : Math.floor((cols * 2) / 5);
    const leftCols = cols - (side === null ? 0 : sideCols + 1);
    const pane = this.paneRows(v.lines, leftCols, paneRows, v.scroll);
    if (side !== null) {
      // wrapped (a tagged line is long), newest at the bottom; only as many lines as fill the pane
      const shown: string[] = [];
      for (let i = side.length - 1; i >= 0 && shown.length < paneRows; i--) {
        const w = wrap(side[i]!, sideCols - 1, sideCols - 4).map((r, j) => (j === 0 ? r : '   ' + r));
        shown.unshift(...w);
      }
      shown.splice(0, Math.max(0, shown.length - paneRows));
      const pad = paneRows - shown.length;
      pane.rows = pane.rows.map((r, i) => {
        const s = i < pad ? '' : fit(shown[i - pad]!, sideCols - 1).text;
        // the left row, the rest of the line cleared, then the pane at its column
        return `${r}${SGR.reset}\x1b[K\x1b[${i + 2};${leftCols + 1}H${SGR.dim}│${SGR.reset}${s}`;
      });
    }
    const promptFit = fit(v.prompt, Math.max(0, cols - 10));
    const ed = v.editor.view(Math.max(1, cols - promptFit.width));
    const next: string[] = [
      bar(v.top, cols, SGR.topic),
      ...pane.rows.map((r) => SGR.reset + r),
      bar(v.status, cols, SGR.status),
      SGR.reset + promptFit.text + ed.text,
    ];
    let out = '\x1b[?25l';
    for (let r = 0; r < next.length && r < rows; r++) {
      if (this.#prev[r] === next[r]) continue;
      out += `\x1b[${r + 1};1H${next[r]}${SGR.reset}\x1b[K`;
    }
    this.#prev = next;
    const curCol = Math.min(cols, promptFit.width + ed.cursorCol + 1);
    out += `\x1b[${Math.min(rows, next.length)};${curCol}H\x1b[?25h`;
    return { out, scroll: pane.scroll };
  }
}
