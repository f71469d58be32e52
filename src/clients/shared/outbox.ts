/**
 * Messages typed while disconnected, kept (bounded in messages and bytes) to send once
 * registered again. Bookkeeping only: the model shows the placeholders and sends.
 */
import { utf8Length } from '../../protocol/index.js';
import type { ChatBuffer, ChatLine } from './buffer.js';

export interface Pending {
  target: string;
  text: string;
  action: boolean;
  /** the placeholder shown in the buffer until it is sent */
  line: ChatLine;
  buffer: ChatBuffer;
}

export class Outbox {
  #items: { p: Pending; bytes: number }[] = [];
  #bytes = 0;

  constructor(readonly max: { readonly maxMessages: number; readonly maxBytes: number }) {}

  get count(): number {
    return this.#items.length;
  }

  /** Is there room for one more message of this size? */
  fits(target: string, text: string): boolean {
    return this.#items.length < this.max.maxMessages && this.#bytes + utf8Length(target) + utf8Length(text) <= this.max.maxBytes;
  }

  add(p: Pending): void {
    const bytes = utf8Length(p.target) + utf8Length(p.text);
    this.#items.push({ p, bytes });
    this.#bytes += bytes;
  }

  /** Everything kept, oldest first; the outbox is empty after. */
  takeAll(): Pending[] {
    const all = this.#items.map((x) => x.p);
    this.#items = [];
    this.#bytes = 0;
    return all;
  }
}
