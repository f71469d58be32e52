/**
 * `tincan chat [HOST[:PORT] | tcp://HOST:PORT] [--nick NAME]`: the terminal client.
 * Picks the mode: full-screen UI on a terminal, line-oriented in pipes, raw socket
 * lines for tcp://. With no host it looks for servers on the LAN (mDNS) and, when
 * none answers, offers to start one here.
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import type { ReadStream, WriteStream } from 'node:tty';
import { CliError } from './serve.js';

export const DEFAULT_PORT = 4444;

const OPTIONS = {
  nick: { type: 'string', short: 'n' },
  password: { type: 'string' },
  raw: { type: 'boolean' },
  line: { type: 'boolean' },
  'no-bell': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function chatUsage(): string {
  return [
    'Usage: tincan chat [HOST[:PORT]] [options]',
    '       tincan chat tcp://HOST:PORT',
    '',
    'Chat in a terminal. With no HOST, looks for tincan and IRC servers on the local',
    `network (mDNS) and connects to the one it finds. PORT defaults to ${DEFAULT_PORT}.`,
    'Works with any IRC server. tcp://HOST:PORT (or --raw) sends plain lines to any',
    'socket program (netcat, the lesson server) and shows what comes back.',
    'Uses TLS when the server speaks it (ircs:// for TLS only): the certificate must match',
    'the fingerprint announced on mDNS, or the one remembered from the first connection',
    '(in $XDG_CONFIG_HOME/tincan/known_servers, default ~/.config/tincan/known_servers).',
    '',
    'Options:',
    '  -n, --nick <name>   your nick (default: your login name)',
    '  --password <pw>     server password (PASS)',
    '  --raw               plain lines instead of IRC (same as tcp://)',
    '  --line              line-oriented even on a terminal (automatic in pipes)',
    '  --no-bell           no terminal bell on mentions',
    '  -h, --help          show this help',
    '',
    'Keys: Enter sends, Tab completes nicks/rooms/commands, Up/Down recall what you typed,',
    'PgUp/PgDn scroll, Alt+1..9 or Ctrl+N/Ctrl+P switch windows, Ctrl+C quits.',
    'Commands: /join /part /msg /query /me /nick /topic /who /whois /away /history /search',
    '/win /close /raw /help /quit (type /help inside for details).',
    '',
    'In a pipe, each stdin line is sent (a message or a /command), and each message',
    'is printed as "[HH:MM] #room <nick> text".',
  ].join('\n');
}

export interface ChatArgs {
  help: boolean;
  raw: boolean;
  line: boolean;
  bell: boolean;
  nick: string;
  password?: string;
  target: { host: string; port: number } | null;
}

export function defaultNick(): string {
  let name = process.env['USER'] ?? '';
  try {
    name ||= userInfo().username;
  } catch {
    // no passwd entry
  }
  const clean = name.replace(/[^A-Za-z0-9_\-[\]\\`^{}|]/g, '').replace(/^[0-9-]+/, '');
  return (clean || 'guest').slice(0, 16);
}

/** HOST, HOST:PORT, [v6]:PORT, tcp://..., irc://... */
export function parseTarget(s: string): { host: string; port: number; scheme: string | null } {
  let rest = s.trim();
  let scheme: string | null = null;
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (m && m[1]) {
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length).replace(/\/.*$/, '');
  }
  let host = rest;
  let port = DEFAULT_PORT;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6 && v6[1]) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const i = rest.indexOf(':');
    host = rest.slice(0, i);
    const p = rest.slice(i + 1);
    if (!/^\d+$/.test(p)) throw new CliError(`tincan chat: '${s}' has a port that is not a number`, 2);
    port = Number(p);
  }
  if (!host || port < 1 || port > 65535) throw new CliError(`tincan chat: '${s}' is not HOST[:PORT] with a port from 1 to 65535`, 2);
  return { host, port, scheme };
}

export function parseChatArgs(argv: string[]): ChatArgs & { scheme: string | null } {
  let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (e) {
    throw new CliError(`tincan chat: ${(e as Error).message}\nRun 'tincan chat --help' for the options.`, 2);
  }
  if (positionals.length > 1) throw new CliError(`tincan chat: one server at a time (got ${positionals.join(', ')})`, 2);
  const t = positionals[0] !== undefined ? parseTarget(positionals[0]) : null;
  if (t?.scheme && !['tcp', 'irc', 'ircs', 'tincan'].includes(t.scheme)) throw new CliError(`tincan chat: unknown scheme '${t.scheme}://' (use tcp://, irc:// or ircs://)`, 2);
  const out: ChatArgs & { scheme: string | null } = {
    help: values.help === true,
    raw: values.raw === true || t?.scheme === 'tcp',
    line: values.line === true,
    bell: values['no-bell'] !== true,
    nick: values.nick ?? defaultNick(),
    target: t ? { host: t.host, port: t.port } : null,
    scheme: t?.scheme ?? null,
  };
  if (values.password !== undefined) out.password = values.password;
  return out;
}

function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    rl.question(question, (a) => {
      rl.close();
      resolve(a.trim());
    });
    rl.on('close', () => resolve(''));
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts `tincan serve` in the background, detached, and waits until it listens. */
async function startLocalServer(): Promise<boolean> {
  const script = process.argv[1];
  if (!script) return false;
  const child = spawn(process.execPath, [...process.execArgv, script, 'serve'], { detached: true, stdio: 'ignore' });
  child.unref();
  for (let i = 0; i < 50; i++) {
    if (await canConnect('127.0.0.1', DEFAULT_PORT)) {
      process.stderr.write(`Started tincan serve in the background (pid ${child.pid ?? '?'}); stop it with: kill ${child.pid ?? ''}\n`);
      return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Where to connect, with the TLS fingerprint a tincan server announced (TXT fp). */
function withFingerprint(f: { host: string; port: number; kind: string; txt: Record<string, string> }): { host: string; port: number; fingerprint?: string } {
  const fp = f.kind === 'tincan' ? f.txt['fp'] : undefined;
  return fp === undefined ? { host: f.host, port: f.port } : { host: f.host, port: f.port, fingerprint: fp };
}

/** Looks for servers on the LAN; returns where to connect, or null (with a message). */
async function discover(interactive: boolean): Promise<{ host: string; port: number; fingerprint?: string } | null> {
  const { browseServers } = await import('../discovery/browse.js');
  const err = process.stderr;
  err.write('Looking for chat servers on the local network (mDNS)...\n');
  const ms = Number(process.env['TINCAN_BROWSE_MS'] ?? '') || 2000;
  const found = await browseServers({ timeoutMs: ms });
  if (found.length === 1) {
    const f = found[0]!;
    err.write(`Found ${f.name} at ${f.host}:${f.port}\n`);
    return withFingerprint(f);
  }
  if (found.length > 1) {
    found.forEach((f, i) => err.write(`  ${i + 1}) ${f.name} (${f.kind}) at ${f.host}:${f.port}\n`));
    if (!interactive) {
      err.write(`Several servers answered; connecting to the first. Name one to choose: tincan chat HOST:PORT\n`);
      return withFingerprint(found[0]!);
    }
    for (;;) {
      const a = await ask(`Connect to which one? [1-${found.length}, Enter for 1, q to quit] `);
      if (a === 'q') return null;
      const n = a === '' ? 1 : Number(a);
      const f = found[n - 1];
      if (f) return withFingerprint(f);
    }
  }
  err.write('No chat server found on the local network.\n');
  if (await canConnect('127.0.0.1', DEFAULT_PORT)) {
    err.write(`Something is listening on this computer's port ${DEFAULT_PORT}; connecting to it.\n`);
    return { host: '127.0.0.1', port: DEFAULT_PORT };
  }
  if (!interactive) {
    err.write(`Start one with 'tincan serve', or name a server: tincan chat HOST[:PORT]\n`);
    return null;
  }
  const a = await ask('Start a server on this computer now? [Y/n] ');
  if (/^n/i.test(a)) {
    err.write(`Start one later with 'tincan serve', or name a server: tincan chat HOST[:PORT]\n`);
    return null;
  }
  if (await startLocalServer()) return { host: '127.0.0.1', port: DEFAULT_PORT };
  err.write(`Could not start the server; try 'tincan serve' yourself to see why.\n`);
  return null;
}

/** Runs `tincan chat`; resolves with the exit code. */
export async function chatMain(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseChatArgs>;
  try {
    args = parseChatArgs(argv);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(e.message + '\n');
      return e.exitCode;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(chatUsage() + '\n');
    return 0;
  }
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true && !args.line;
  const target: { host: string; port: number; fingerprint?: string } | null = args.target ?? (await discover(tty));
  if (!target) return 1;

  if (args.raw) {
    const raw = await import('../clients/raw.js');
    if (!tty) return raw.runRawLines(target.host, target.port, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    const { TuiApp } = await import('../clients/tui/app.js');
    const session = new raw.RawSession(target.host, target.port);
    const app = new TuiApp(new raw.RawTuiModel(session), { stdin: process.stdin as ReadStream, stdout: process.stdout as WriteStream, bell: args.bell });
    app.start();
    await app.finished;
    return 0;
  }

  const { IrcClient } = await import('../clients/shared/irc-client.js');
  const { tcpTransport } = await import('../clients/shared/node-transport.js');
  const { filePinStore } = await import('../clients/shared/known-servers.js');
  /** the server's certificate did not match: exit non-zero */
  let refused = false;
  const label = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  const client = new IrcClient({
    nick: args.nick,
    serverLabel: label,
    transport: tcpTransport({
      host: target.host,
      port: target.port,
      tls: args.scheme === 'ircs' ? true : 'auto',
      pins: filePinStore(),
      notify: (text) => client.info(client.server, text),
      onFatal: () => (refused = true),
      ...(target.fingerprint === undefined ? {} : { fingerprint: target.fingerprint }),
    }),
    historyOnJoin: 50,
    ...(args.password !== undefined ? { password: args.password } : {}),
  });
  if (!tty) {
    const { runLineMode } = await import('../clients/tui/line-mode.js');
    const done = runLineMode(client, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    client.connect();
    await done;
    return refused ? 1 : 0;
  }
  const { TuiApp } = await import('../clients/tui/app.js');
  const { IrcTuiModel } = await import('../clients/tui/irc-model.js');
  const app = new TuiApp(new IrcTuiModel(client), { stdin: process.stdin as ReadStream, stdout: process.stdout as WriteStream, bell: args.bell });
  app.start();
  client.connect();
  client.info(client.server, `Connecting to ${label} as ${args.nick}... (/help for commands, Ctrl+C quits)`);
  await app.finished;
  // let QUIT reach the server
  await new Promise((r) => setTimeout(r, 400));
  return 0;
}
