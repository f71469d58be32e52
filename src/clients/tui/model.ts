/**
 * What the full-screen UI needs from whatever it shows: buffers, the active one, the
 * status and top bars, what Enter does, what Tab completes. The IRC client
 * (irc-model.ts) and the raw socket mode (../raw.ts) both provide one.
 */
import type { ChatBuffer, ChatLine } from '../shared/buffer.js';
import type { CommandUi } from '../shared/commands.js';
import type { CompletionSource } from './completion.js';
import type { Segment } from './screen.js';

export interface TuiModel {
  readonly buffers: readonly ChatBuffer[];
  readonly active: ChatBuffer;
  setActive(b: ChatBuffer): void;
  /** subscribe to visible changes; returns unsubscribe */
  onChange(fn: () => void): () => void;
  /** subscribe to new lines (for the bell) */
  onLine(fn: (b: ChatBuffer, l: ChatLine) => void): () => void;
  top(): Segment[];
  status(): Segment[];
  prompt(): string;
  submit(text: string, ui: CommandUi): void;
  completion(): CompletionSource;
  /** the text in the input line changed (typing notifications) */
  edited?(text: string): void;
  /** the user asked to leave (Ctrl+C) */
  quit(): void;
  /** --show-bytes: the protocol pane's lines (absent: no pane) */
  side?(): readonly string[];
}
