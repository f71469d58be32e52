/**
 * `tincan chat [HOST[:PORT] | tcp://HOST:PORT] [--nick NAME]`: the terminal client.
 * Picks the mode: full-screen UI on a terminal, line-oriented in pipes, raw socket
 * lines for tcp://. With no host it looks for servers on the LAN (mDNS) and, when
 * none answers, offers to start one here.
 */
import { ignoreFilePath, loadIgnores, saveIgnores } from '../clients/tui/settings.js';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { homedir, userInfo } from 'node:os';
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadStream, WriteStream } from 'node:tty';
import { CliError } from './serve.js';

export const DEFAULT_PORT = 4444;

const OPTIONS = {
  nick: { type: 'string', short: 'n' },
  password: { type: 'string' },
  'save-login': { type: 'boolean' },
  raw: { type: 'boolean' },
  line: { type: 'boolean' },
  'no-bell': { type: 'boolean' },
  'show-bytes': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function chatUsage(): string {
  return [
    'Usage: tincan chat [HOST[:PORT][,HOST[:PORT]...]] [options]',
    '       tincan chat tcp://HOST:PORT',
    '',
    'Chat in a terminal. With no HOST, looks for tincan and IRC servers on the local',
    `network (mDNS) and connects to the one it finds. PORT defaults to ${DEFAULT_PORT}.`,
    'Works with any IRC server. tcp://HOST:PORT (or --raw) sends plain lines to any',
    'socket program (netcat, the lesson server) and shows what comes back.',
    'Uses TLS when the server speaks it (ircs:// for TLS only): the certificate must match',
    'the fingerprint announced on mDNS, or the one remembered from the first connection',
    '(in $XDG_CONFIG_HOME/tincan/known_servers, default ~/.config/tincan/known_servers).',
    'Several addresses (A,B,...) are the nodes of one server; a tincan server also lists',
    'its nodes (/nodes.json). When the node in use dies, the next one is tried.',
    '',
    'Options:',
    '  -n, --nick <name>   your nick (default: your login name)',
    '  --password <pw>     server password (PASS)',
    '  --save-login        keep the account you /register or /login with for this server',
    '                      (in $XDG_CONFIG_HOME/tincan/logins.json, mode 0600); a saved',
    '                      login is used (SASL) on every start, with or without this flag',
    '  --raw               plain lines instead of IRC (same as tcp://)',
    '  --line              line-oriented even on a terminal (automatic in pipes)',
    '  --no-bell           no terminal bell on mentions',
    '  --show-bytes        show every IRC line sent (>>) and received (<<): in a pane on',
    '                      the right (terminals 70+ columns wide), between the chat lines',
    '                      in line mode',
    '  -h, --help          show this help',
    '',
    'Keys: Enter sends, Tab completes nicks/rooms/commands, Up/Down recall what you typed,',
    'PgUp/PgDn scroll, Alt+1..9 or Ctrl+N/Ctrl+P switch windows, Ctrl+C quits.',
    'Commands: /join /part /msg /query /me /nick /topic /who /whois /away /history /search',
    '/register /login /upload /win /close /raw /help /quit (type /help inside for details).',
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
  saveLogin: boolean;
  /** --show-bytes: the wire lines interleaved (implies line mode) */
  showBytes: boolean;
  nick: string;
  password?: string;
  target: { host: string; port: number } | null;
  /** more addresses of the same server (HOST:PORT,HOST:PORT: the nodes of a cluster) */
  more: { host: string; port: number }[];
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
  // A,B,C: one server's nodes (the client fails over between them)
  const parts = positionals[0]?.split(',') ?? [];
  if (parts.length > 16) throw new CliError(`tincan chat: at most 16 addresses of one server (got ${parts.length})`, 2);
  const t = parts[0] !== undefined ? parseTarget(parts[0]) : null;
  const more = parts.slice(1).map((p) => parseTarget(t?.scheme && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p) ? `${t.scheme}://${p}` : p));
  if (more.some((m) => m.scheme !== (t?.scheme ?? null))) throw new CliError(`tincan chat: the addresses of one server use one scheme`, 2);
  if (t?.scheme && !['tcp', 'irc', 'ircs', 'tincan'].includes(t.scheme)) throw new CliError(`tincan chat: unknown scheme '${t.scheme}://' (use tcp://, irc:// or ircs://)`, 2);
  const out: ChatArgs & { scheme: string | null } = {
    help: values.help === true,
    raw: values.raw === true || t?.scheme === 'tcp',
    line: values.line === true,
    bell: values['no-bell'] !== true,
    saveLogin: values['save-login'] === true,
    showBytes: values['show-bytes'] === true,
    nick: values.nick ?? defaultNick(),
    target: t ? { host: t.host, port: t.port } : null,
    more: more.map((m) => ({ host: m.host, port: m.port })),
    scheme: t?.scheme ?? null,
  };
  if (values.password !== undefined) out.password = values.password;
  return out;
}

/**
 * Asks one question on stderr; resolves with the trimmed answer, or null at end of input
 * (Ctrl+D, a closed pipe), which callers take as "no".
 */
export function ask(question: string, input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string | null> {
  const rl = createInterface({ input, output, terminal: false });
  output.write(question);
  return new Promise((resolve) => {
    let answered = false;
    rl.once('line', (a) => {
      answered = true;
      // resolve before close(): 'close' fires synchronously inside it
      resolve(a.trim());
      rl.close();
    });
    rl.once('close', () => {
      if (!answered) output.write('\n');
      resolve(null);
    });
  });
}

export type YesNo = 'yes' | 'no' | null;

/** '' or y/yes is yes, n/no is no, anything else null (ask again). */
export function parseYesNo(a: string): YesNo {
  if (a === '' || /^y(es)?$/i.test(a)) return 'yes';
  if (/^no?$/i.test(a)) return 'no';
  return null;
}

/** '' is the first, 1..count that one, q/quit 'quit', anything else null (ask again). */
export function parseChoice(a: string, count: number): number | 'quit' | null {
  if (a === '') return 1;
  if (/^q(uit)?$/i.test(a)) return 'quit';
  if (!/^\d+$/.test(a)) return null;
  const n = Number(a);
  return n >= 1 && n <= count ? n : null;
}

/** How many times an unclear answer is asked again before giving up. */
const MAX_ASKS = 3;

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

/** Where a server started by `tincan chat` keeps its data: $XDG_DATA_HOME/tincan, else ~/.local/share/tincan. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share');
  return join(base, 'tincan');
}

/**
 * Starts `tincan serve` in the background, detached, with its data and its log in
 * localDataDir(), and waits until it listens. On failure the end of its log is shown.
 */
async function startLocalServer(err: NodeJS.WritableStream): Promise<string[] | null> {
  const script = process.argv[1];
  if (!script) return null;
  const data = localDataDir();
  const logPath = join(data, 'server.log');
  let fd: number;
  try {
    mkdirSync(data, { recursive: true });
    // one log per server started from here: truncated, so it never piles up across runs
    fd = openSync(logPath, 'w');
  } catch (e) {
    err.write(`Cannot write ${logPath}: ${(e as Error).message}\n`);
    return null;
  }
  const child = spawn(process.execPath, [...process.execArgv, script, 'serve', '--port', String(DEFAULT_PORT), '--data', data], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, TINCAN_LOG: 'json' },
  });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  for (let i = 0; i < 75 && !exited; i++) {
    if (await canConnect('127.0.0.1', DEFAULT_PORT)) {
      const pid = child.pid ?? '?';
      const notes = [
        `Started tincan serve in the background (pid ${pid}).`,
        `Listening on port ${DEFAULT_PORT} on every network interface; only the local network may connect.`,
        `History is kept in ${data}`,
        `Its log: ${logPath}`,
        `Stop it with: kill ${pid}`,
      ];
      err.write(notes.join('\n') + '\n');
      return notes;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!exited) child.kill();
  err.write(`The server did not start. The end of its log (${logPath}):\n${logTail(logPath)}\n`);
  return null;
}

/** The last lines of a log file (bounded read), for showing why a server failed. */
function logTail(path: string, maxBytes = 4096): string {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8').split('\n').slice(-15).join('\n').trimEnd() || '(empty)';
  } catch {
    return '(no log)';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Where to connect: the first node, the others of the same server, notes to show. */
interface Target {
  host: string;
  port: number;
  fingerprint?: string;
  notes?: string[];
  more?: { host: string; port: number; fingerprint?: string }[];
}

/** Where to connect, with the TLS fingerprint a tincan server announced (TXT fp), and a cluster's other nodes. */
function withFingerprint(f: FoundGroupLike): Target {
  const one = (n: { host: string; port: number; kind: string; txt: Record<string, string> }): { host: string; port: number; fingerprint?: string } => {
    const fp = n.kind === 'tincan' ? n.txt['fp'] : undefined;
    return fp === undefined ? { host: n.host, port: n.port } : { host: n.host, port: n.port, fingerprint: fp };
  };
  return { ...one(f), more: f.others.map(one) };
}

interface FoundGroupLike {
  name: string;
  host: string;
  port: number;
  kind: string;
  txt: Record<string, string>;
  others: { host: string; port: number; kind: string; txt: Record<string, string> }[];
}

/** "tincan on kitchen-pc (tincan) at 10.0.0.5:4444", plus the cluster's other nodes. */
function describe(f: FoundGroupLike): string {
  const at = `${f.name} (${f.kind}) at ${f.host}:${f.port}`;
  return f.others.length === 0 ? at : `${at} and ${f.others.length} more node${f.others.length === 1 ? '' : 's'} of cluster ${f.txt['cluster'] ?? '?'} (${f.others.map((o) => `${o.host}:${o.port}`).join(', ')})`;
}

/** Looks for servers on the LAN; returns where to connect, or null (with a message). */
async function discover(interactive: boolean): Promise<Target | null> {
  const { browseServers, groupServers } = await import('../discovery/browse.js');
  const err = process.stderr;
  err.write('Looking for chat servers on the local network (mDNS)...\n');
  const ms = Number(process.env['TINCAN_BROWSE_MS'] ?? '') || 2000;
  // the nodes of one cluster are one server with several addresses
  const found = groupServers(await browseServers({ timeoutMs: ms }));
  if (found.length === 1) {
    const f = found[0]!;
    err.write(`Found ${describe(f)}\n`);
    return withFingerprint(f);
  }
  if (found.length > 1) {
    found.forEach((f, i) => err.write(`  ${i + 1}) ${describe(f)}\n`));
    if (!interactive) {
      err.write(`Several servers answered; connecting to the first. Name one to choose: tincan chat HOST:PORT\n`);
      return withFingerprint(found[0]!);
    }
    for (let i = 0; i < MAX_ASKS; i++) {
      const a = await ask(`Connect to which one? [1-${found.length}, Enter for 1, q to quit] `);
      const c = a === null ? 'quit' : parseChoice(a, found.length);
      if (c === 'quit') {
        err.write(`Not connecting. Name a server to skip this question: tincan chat HOST[:PORT]\n`);
        return null;
      }
      const f = c === null ? undefined : found[c - 1];
      if (f) return withFingerprint(f);
      err.write(`Please answer a number from 1 to ${found.length}, or q.\n`);
    }
    err.write(`No choice made. Name a server: tincan chat HOST[:PORT]\n`);
    return null;
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
  const later = `Start one later with 'tincan serve', or name a server: tincan chat HOST[:PORT]\n`;
  let yes: YesNo = null;
  for (let i = 0; i < MAX_ASKS && yes === null; i++) {
    const a = await ask(`Start a server on this computer now (port ${DEFAULT_PORT}, history in ${localDataDir()})? [Y/n] `);
    yes = a === null ? 'no' : parseYesNo(a);
    if (yes === null) err.write('Please answer y or n.\n');
  }
  if (yes !== 'yes') {
    err.write(later);
    return null;
  }
  const notes = await startLocalServer(err);
  if (notes) return { host: '127.0.0.1', port: DEFAULT_PORT, notes };
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
  const target: Target | null = args.target === null ? await discover(tty) : { ...args.target, more: args.more };
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
  const { tcpTransport, fetchNodeList } = await import('../clients/shared/node-transport.js');
  const { NodeList, failoverTransport, nodeKey } = await import('../clients/shared/failover.js');
  const { filePinStore, serverKey } = await import('../clients/shared/known-servers.js');
  const logins = await import('../clients/shared/saved-logins.js');
  /** the server's certificate did not match: exit non-zero */
  let refused = false;
  const label = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  // a saved account (--save-login) logs in with SASL while registering
  const loginsPath = logins.savedLoginsPath();
  const loginKey = serverKey(target.host, target.port);
  let saved: { account: string; password: string } | null = null;
  let loginNote: string | null = null;
  try {
    saved = logins.readSavedLogin(loginsPath, loginKey);
  } catch (e) {
    loginNote = (e as Error).message;
    process.stderr.write(loginNote + '\n');
  }
  const pins = filePinStore();
  const { uploadFile } = await import('../clients/tui/upload.js');
  const uploadTarget: { host: string; port: number; pins: typeof pins; fingerprint?: string } = { host: target.host, port: target.port, pins, ...(target.fingerprint === undefined ? {} : { fingerprint: target.fingerprint }) };
  // the server's nodes: the addresses given (or found on mDNS), then what it lists; the
  // next one is tried when the one in use does not let us in (src/clients/shared/failover.ts)
  const nodes = new NodeList([target, ...(target.more ?? [])]);
  /** the certificate the current connection accepted (null: plaintext) */
  let accepted: string | null = null;
  const failover = failoverTransport(
    nodes,
    (n) =>
      tcpTransport({
        host: n.host,
        port: n.port,
        tls: args.scheme === 'ircs' ? true : 'auto',
        pins,
        notify: (text) => client.info(client.server, text),
        onFatal: () => (refused = true),
        onSecure: (fp) => (accepted = fp),
        ...(n.fingerprint === undefined ? {} : { fingerprint: n.fingerprint }),
      }),
    (text) => client.info(client.server, text),
  );
  const client = new IrcClient({
    nick: args.nick,
    serverLabel: label,
    transport: failover.transport,
    historyOnJoin: 50,
    ...(args.password !== undefined ? { password: args.password } : {}),
    ...(saved !== null ? { login: saved } : {}),
    ignored: loadIgnores(),
    onIgnoredChange: (nicks) => {
      try {
        saveIgnores(nicks);
      } catch (e) {
        client.info(client.active, `Could not remember the ignore list in ${ignoreFilePath()}: ${(e as Error).message}`, 'error');
      }
    },
  });
  /** set on the welcome: /nodes.json is asked once the server says it is tincan (RPL_MYINFO) */
  let askNodes: { host: string; port: number; fingerprint: string | null } | null = null;
  client.on('state', (st) => {
    if (st !== 'connected') return;
    failover.registered();
    const cur = nodes.current;
    // /upload goes to the node we are on
    uploadTarget.host = cur.host;
    uploadTarget.port = cur.port;
    if (accepted !== null) uploadTarget.fingerprint = accepted;
    askNodes = { host: cur.host, port: cur.port, fingerprint: accepted };
  });
  client.on('change', () => {
    const ask = askNodes;
    if (ask === null || client.serverVersion === '') return;
    askNodes = null;
    if (!client.serverVersion.startsWith('tincan')) return;
    void fetchNodeList(ask.host, ask.port, ask.fingerprint).then((list) => {
      if (list.length > 0 && nodeKey(nodes.current) === nodeKey(ask)) nodes.learn(list);
    });
  });
  if (loginNote !== null) client.info(client.server, loginNote, 'error');
  else if (saved !== null) client.info(client.server, `Logging in as ${saved.account} (saved in ${loginsPath})`);
  client.on('auth', (e) => {
    const creds = client.credentials;
    if (e.kind === 'logged-in' && args.saveLogin && creds !== null && (saved?.account !== creds.account || saved.password !== creds.password)) {
      try {
        logins.saveLogin(loginsPath, loginKey, creds);
        saved = creds;
        client.info(client.server, `Saved the login for ${creds.account} in ${loginsPath} (only you can read it); it is used on the next start`);
      } catch (err) {
        client.info(client.server, `Could not save the login in ${loginsPath}: ${(err as Error).message}`, 'error');
      }
    } else if (e.kind === 'logged-in' && !args.saveLogin && saved === null) {
      client.info(client.server, 'Start with --save-login to be logged in automatically next time');
    } else if (e.kind === 'login-failed' && saved !== null && e.account === saved.account) {
      client.info(client.server, `The saved login in ${loginsPath} was refused: /login again${args.saveLogin ? ' (it will replace the saved one)' : ' (with --save-login to replace the saved one)'}`, 'error');
    }
  });
  if (!tty) {
    const { runLineMode } = await import('../clients/tui/line-mode.js');
    const done = runLineMode(client, {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      showBytes: args.showBytes,
      upload: (path, to) => uploadFile(client, uploadTarget, path, to, (text, kind) => process.stderr.write(`${kind === 'error' ? 'error: ' : ''}${text}\n`)),
    });
    client.connect();
    await done;
    return refused ? 1 : 0;
  }
  const { TuiApp } = await import('../clients/tui/app.js');
  const { IrcTuiModel } = await import('../clients/tui/irc-model.js');
  const upload = (path: string, to: string): void => {
    const where = client.find(to) ?? client.active;
    void uploadFile(client, uploadTarget, path, to, (text, kind) => client.info(where, text, kind === 'error' ? 'error' : 'info'));
  };
  const app = new TuiApp(new IrcTuiModel(client, undefined, upload, args.showBytes), { stdin: process.stdin as ReadStream, stdout: process.stdout as WriteStream, bell: args.bell });
  app.start();
  client.connect();
  // what the full screen would hide: where a server started just now listens and keeps its data
  for (const n of target.notes ?? []) client.info(client.server, n);
  client.info(client.server, `Connecting to ${label} as ${args.nick}... (/help for commands, Ctrl+C quits)`);
  await app.finished;
  // let QUIT reach the server
  await new Promise((r) => setTimeout(r, 400));
  return 0;
}
