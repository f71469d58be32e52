/**
 * "Show protocol": the IRC lines this page's session sends (>>) and receives (<<), live,
 * for learners. Collected from the moment the client is made (so registration is there
 * when the panel opens), at most MAX_WIRE_LINES, each cut at MAX_WIRE_CHARS.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { IrcClient } from '../shared/irc-client.js';

export const MAX_WIRE_LINES = 500;
const MAX_WIRE_CHARS = 600;

export interface WireLine {
  id: number;
  dir: 'in' | 'out';
  text: string;
}

class WireLog {
  readonly lines: WireLine[] = [];
  #next = 1;
  #listeners = new Set<() => void>();
  constructor(client: IrcClient) {
    client.on('wire', (dir, raw) => {
      // the password is not for the screen (someone may be looking over a shoulder)
      const line = dir === 'out' && /^(PASS|AUTHENTICATE) /i.test(raw) ? raw.replace(/ .*/, ' ••••••') : raw;
      this.lines.push({ id: this.#next++, dir, text: line.length > MAX_WIRE_CHARS ? line.slice(0, MAX_WIRE_CHARS) + '…' : line });
      if (this.lines.length > MAX_WIRE_LINES) this.lines.splice(0, this.lines.length - MAX_WIRE_LINES);
      for (const f of this.#listeners) f();
    });
  }
  subscribe(f: () => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }
}

const logs = new WeakMap<IrcClient, WireLog>();

/** Starts (or returns) the client's wire log: call it before connect(). */
export function wireLog(client: IrcClient): WireLog {
  let l = logs.get(client);
  if (l === undefined) logs.set(client, (l = new WireLog(client)));
  return l;
}

export function ProtocolPanel({ client, onClose }: { client: IrcClient; onClose: () => void }) {
  const log = wireLog(client);
  const [, setV] = useState(0);
  const ref = useRef<HTMLOListElement>(null);
  useEffect(() => {
    let scheduled = false;
    return log.subscribe(() => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        setV((v) => v + 1);
      });
    });
  }, [log]);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  });
  return (
    <section class="protocol" aria-label="Protocol">
      <header>
        <h2>Protocol</h2>
        <span class="muted">&gt;&gt; sent · &lt;&lt; received · last {MAX_WIRE_LINES} lines</span>
        <button class="small" onClick={onClose}>
          Close
        </button>
      </header>
      <ol class="wire" ref={ref}>
        {log.lines.map((l) => (
          <li key={l.id} class={l.dir}>
            <span class="dir">{l.dir === 'out' ? '>>' : '<<'}</span> <code>{l.text}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}
