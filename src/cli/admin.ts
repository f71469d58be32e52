/**
 * `tincan admin [command]`: runs admin commands (src/admin/commands.ts) on the server
 * running from the same data directory, over its socket `<dataDir>/admin.sock`. With a
 * command, runs it and exits; without one, reads commands (a prompt on a terminal, else
 * one per line of stdin). Refuses a socket that is not the user's own with mode 0600:
 * someone else's socket could be a fake server collecting what the host types.
 */
import { lstatSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { socketPath } from '../admin/socket.js';

/** How long one command may take to be answered. */
const REPLY_TIMEOUT_MS = 10_000;
/** A reply line longer than this is not from our server. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export function adminUsage(): string {
  return [
    'Usage: tincan admin [--data DIR] [-c FILE] [command ...]',
    '',
    'Runs admin commands on the tincan server using this data directory (the one',
    '`tincan serve` was started with), e.g.:',
    '  tincan admin unlock #room        tincan admin ban bob 1h spamming',
    '  tincan admin who                 tincan admin code    (a new one-time admin code)',
    'With no command, reads commands one per line. `tincan admin help` lists them all.',
    '',
    'Options:',
    '  --data <dir>          the server\'s data directory (default: from the config, ./data)',
    '  -c, --config <file>   the server\'s config file, to find its data directory',
    '  -h, --help            show this help',
  ].join('\n');
}

/** Why this socket must not be used, or null. */
export function socketProblem(path: string): string | null {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return `no admin socket at ${path}: is tincan serve running with this data directory (--data)?`;
  }
  if (!st.isSocket()) return `${path} is not a socket`;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return `${path} belongs to another user (uid ${st.uid}): refusing to use it`;
  if ((st.mode & 0o077) !== 0) return `${path} can be used by other users (mode ${(st.mode & 0o777).toString(8)}): refusing to use it`;
  return null;
}

/** One connection: send a line, get its reply lines. */
class AdminLink {
  readonly #sock: Socket;
  #buf = '';
  #waiting: ((r: { lines: string[] } | { error: string }) => void) | null = null;

  constructor(sock: Socket) {
    this.#sock = sock;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.#buf += d;
      if (this.#buf.length > MAX_REPLY_BYTES) return this.#settle({ error: 'reply too long' });
      const nl = this.#buf.indexOf('\n');
      if (nl < 0) return;
      const line = this.#buf.slice(0, nl);
      this.#buf = this.#buf.slice(nl + 1);
      try {
        const r = JSON.parse(line) as { lines?: unknown; error?: unknown };
        if (Array.isArray(r.lines)) this.#settle({ lines: r.lines.map(String) });
        else this.#settle({ error: String(r.error ?? 'bad reply') });
      } catch {
        this.#settle({ error: 'bad reply from the server' });
      }
    });
    sock.on('close', () => this.#settle({ error: 'the server closed the connection' }));
    sock.on('error', () => {});
  }

  #settle(r: { lines: string[] } | { error: string }): void {
    const w = this.#waiting;
    this.#waiting = null;
    w?.(r);
  }

  run(line: string): Promise<{ lines: string[] } | { error: string }> {
    return new Promise((resolve) => {
      const t = setTimeout(() => this.#settle({ error: `no answer within ${REPLY_TIMEOUT_MS / 1000} seconds` }), REPLY_TIMEOUT_MS);
      this.#waiting = (r) => {
        clearTimeout(t);
        resolve(r);
      };
      this.#sock.write(line.replace(/[\r\n]/g, ' ') + '\n');
    });
  }

  end(): void {
    this.#sock.end();
  }
}

function open(path: string): Promise<AdminLink> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => resolve(new AdminLink(s)));
    s.once('error', (e) => reject(new Error(`cannot reach the server at ${path}: ${e.message}`)));
  });
}

/** Returns the exit code. `out`/`err` default to the process's streams. */
export async function adminMain(argv: string[], io: { out?: (t: string) => void; err?: (t: string) => void; input?: NodeJS.ReadableStream } = {}): Promise<number> {
  const out = io.out ?? ((t: string) => void process.stdout.write(t));
  const err = io.err ?? ((t: string) => void process.stderr.write(t));
  // options come first; everything from the first other word on is the command (its
  // own words may start with '-': `tincan admin mode #room -ik`)
  const first = argv.findIndex((a, i) => !a.startsWith('-') && !['--data', '-c', '--config'].includes(argv[i - 1] ?? ''));
  const optArgs = first < 0 ? argv : argv.slice(0, first);
  const positionals = first < 0 ? [] : argv.slice(first);
  let values: { data?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: optArgs, options: { data: { type: 'string' }, config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }));
  } catch (e) {
    err(`tincan admin: ${(e as Error).message}\n\n${adminUsage()}\n`);
    return 2;
  }
  if (values.help === true) {
    out(adminUsage() + '\n');
    return 0;
  }
  let dataDir: string;
  try {
    const flags = values.data === undefined ? {} : { dataDir: values.data };
    dataDir = loadConfig(values.config === undefined ? { flags } : { file: values.config, flags }).dataDir;
  } catch (e) {
    err(`tincan admin: ${(e as Error).message}\n`);
    return 1;
  }
  const path = socketPath(dataDir);
  const problem = socketProblem(path);
  if (problem !== null) {
    err(`tincan admin: ${problem}\n`);
    return 1;
  }
  let link: AdminLink;
  try {
    link = await open(path);
  } catch (e) {
    err(`tincan admin: ${(e as Error).message}\n`);
    return 1;
  }
  const show = (r: { lines: string[] } | { error: string }): boolean => {
    if ('error' in r) {
      err(`tincan admin: ${r.error}\n`);
      return false;
    }
    out(r.lines.map((l) => l + '\n').join(''));
    return true;
  };
  try {
    if (positionals.length > 0) return show(await link.run(positionals.join(' '))) ? 0 : 1;
    const input = io.input ?? process.stdin;
    const tty = input === process.stdin && process.stdin.isTTY === true;
    const rl = createInterface({ input, ...(tty ? { output: process.stdout, prompt: 'admin> ' } : {}), terminal: tty });
    if (tty) {
      out('tincan admin: type /help for the commands, Ctrl-D to leave.\n');
      rl.prompt();
    }
    let ok = true;
    for await (const line of rl) {
      if (line.trim() !== '' && !show(await link.run(line))) {
        ok = false;
        break;
      }
      if (tty) rl.prompt();
    }
    rl.close();
    return ok ? 0 : 1;
  } finally {
    link.end();
  }
}
