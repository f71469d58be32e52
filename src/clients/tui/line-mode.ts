/**
 * Line-oriented mode for scripts and pipes (stdin or stdout not a terminal): each line
 * a room receives is printed as "[HH:MM] #room <nick> text"; each stdin line is a
 * message to the current room or a /command. Server notices and connection status go
 * to stderr. Lines typed before registration wait for it; after a /join the next line
 * waits until the join is confirmed (or 5 s), so "/join #x" then "hello" works in a
 * script. End of stdin quits after the queue is sent. Node only.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { IrcClient } from '../shared/irc-client.js';
import type { ChatBuffer, ChatLine } from '../shared/buffer.js';
import { runInput } from '../shared/commands.js';
import { plainLine, timestamp, wireText } from './format.js';

export interface LineModeOptions {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** /upload (chat.ts: tui/upload.ts) */
  upload?: (path: string, to: string) => Promise<unknown>;
  /** --show-bytes: every IRC line sent (>>) and received (<<), interleaved on stdout */
  showBytes?: boolean;
}

/** "[HH:MM] #room <nick> text"; each line of a multiline message gets the whole prefix (scripts read lines). */
export function formatPlain(b: ChatBuffer, l: ChatLine): string {
  const head = `[${timestamp(l.time)}] ${b.kind === 'server' ? '*' : b.name} `;
  const text = plainLine(l);
  if (!text.includes('\n')) return head + text;
  const [first = '', ...rest] = text.split('\n');
  const who = /^(<[^>]*>|\* \S+|-[^-]*-) /.exec(first)?.[0] ?? '';
  return [head + first, ...rest.map((r) => head + who + r)].join('\n');
}

/** Runs until the user quits or stdin ends; resolves when done. */
export function runLineMode(client: IrcClient, o: LineModeOptions): Promise<void> {
  return new Promise((resolve) => {
    const queue: string[] = [];
    let ended = false;
    let busy = false;
    let finished = false;
    /** /register or /login waiting for its password: the next stdin line */
    let secret: ((s: string | null) => void) | null = null;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      rl.close();
      resolve();
    };
    client.on('line', (b, l) => {
      (b.kind === 'server' ? o.stderr : o.stdout).write(formatPlain(b, l) + '\n');
    });
    client.on('state', (s) => {
      if (s === 'connected') pump();
      if (s === 'closed') finish();
    });
    if (o.showBytes === true) client.on('wire', (dir, line) => o.stdout.write(wireText(dir, line) + '\n'));
    const ui = {
      switchTo: (n: number) => {
        const b = client.buffers[n - 1];
        if (b) client.setActive(b);
      },
      exit: () => setTimeout(finish, 400),
      askSecret: (prompt: string, then: (s: string | null) => void) => {
        o.stderr.write(prompt + '\n');
        if (queue.length > 0) return then(queue.shift() as string);
        if (ended) return then(null);
        secret = then;
      },
      ...(o.upload === undefined
        ? {}
        : {
            // the next line waits for the upload (a script's "/upload f" then "done" keeps its order)
            upload: (path: string, to: string) => {
              busy = true;
              void o.upload!(path, to).finally(() => {
                busy = false;
                setTimeout(pump, 0);
              });
            },
          }),
    };
    const pump = (): void => {
      if (busy || finished) return;
      while (queue.length > 0 && client.connected) {
        const line = queue.shift() as string;
        const m = /^\/(?:join|j)\s+(\S+)/i.exec(line);
        runInput(client, line, ui);
        if (busy) return;
        if (m && m[1]) {
          const want = client.isChannel(m[1]) ? m[1] : `#${m[1]}`;
          busy = true;
          const off = client.on('change', () => {
            if (client.find(want)?.joined) done();
          });
          const timer = setTimeout(() => done(), 5000);
          const done = (): void => {
            off();
            clearTimeout(timer);
            busy = false;
            setTimeout(pump, 0);
          };
          return;
        }
      }
      if (ended && queue.length === 0 && !finished) {
        client.quit('End of input');
        setTimeout(finish, 500);
      }
    };
    const rl = createInterface({ input: o.stdin, terminal: false });
    rl.on('line', (line) => {
      const w = secret;
      secret = null;
      if (w !== null) w(line);
      else queue.push(line);
      pump();
    });
    rl.on('close', () => {
      ended = true;
      const w = secret;
      secret = null;
      w?.(null);
      pump();
    });
  });
}
