/**
 * Micro-benchmarks of tincan's hot paths, through the real code (no sockets):
 *
 *   parse/*       protocol/parse.ts on typical client lines
 *   serialize/*   protocol/serialize.ts, and Outgoing (one build per capability variant)
 *   fanout500/*   one PRIVMSG from a channel member, from the raw line to 499 queued
 *                 deliveries: Session.onLine (flood bucket) -> parse -> dispatch ->
 *                 messaging fan-out -> TcpConnection.write (sendq accounting) -> the
 *                 per-tick flush into a stand-in socket
 *   fanout500+history/*  the same with the default SQLite history store recording every message (write-behind per tick)
 *   history.*     bench/history.ts (SQLite append and reads), run as a child process with
 *                 100k messages; its lines keep that script's own format
 *
 * usage: npm run bench:micro [-- --json] [-- FILTER]   (tsx bench/micro.ts)
 *
 * Output (stable; one line per case, sorted as run):
 *   <name> <ops/s> ops/s <ns/op> ns/op [<extra>]
 * with --json: one JSON object per line {"name","ops_per_s","ns_per_op",...extra}.
 * Each case runs for a warm-up, then 5 samples of ~200 ms; the median sample is printed.
 * Compare numbers from one machine and one run only.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import pino from 'pino';
import { parse } from '../src/protocol/parse.js';
import { serialize, serializeParts } from '../src/protocol/serialize.js';
import { Outgoing } from '../src/core/outgoing.js';
import { Cap } from '../src/core/caps.js';
import { IrcServer } from '../src/core/server.js';
import { DEFAULT_CONFIG, validateConfig } from '../src/config/schema.js';
import type { Config } from '../src/config/types.js';
import { TcpConnection } from '../src/transports/tcp-connection.js';
import { History } from '../src/core/history.js';
import { openStorage } from '../src/storage/open.js';
import { makeBench, type BenchFn } from './lib.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const filter = args.find((a) => !a.startsWith('--')) ?? '';
const bench: BenchFn = makeBench({ json, filter });

// ---- parse ---------------------------------------------------------------------------
const PLAIN = 'PRIVMSG #bench :12345 1700000000000000000 hello there, this is a chat line';
const TAGGED = '@label=abc;+draft/reply=xyz;time=2024-01-01T00:00:00.000Z :nick!user@host PRIVMSG #bench :hello world';
const PING = 'PING :tincan.bench';
let sink = 0;
await bench('parse/privmsg', () => {
  const r = parse(PLAIN);
  if (r.ok) sink += r.msg.params.length;
});
await bench('parse/tagged-privmsg', () => {
  const r = parse(TAGGED);
  if (r.ok) sink += r.msg.params.length;
});
await bench('parse/ping', () => {
  const r = parse(PING);
  if (r.ok) sink += r.msg.params.length;
});

// ---- serialize -------------------------------------------------------------------------
const SRC = 'r1xc0001!~r1xc0001@127.0.0.1';
const PARAMS = ['#bench', '12345 1700000000000000000 hello there, this is a chat line'];
await bench('serialize/parts-privmsg', () => {
  sink += serializeParts('', SRC, 'PRIVMSG', PARAMS).length;
});
const MSG = { tags: null, source: SRC, command: 'PRIVMSG', params: PARAMS };
await bench('serialize/checked-privmsg', () => {
  sink += serialize(MSG).length;
});
let t = 1_700_000_000_000;
await bench('serialize/outgoing-4-variants', () => {
  const o = new Outgoing(SRC, 'PRIVMSG', PARAMS, 'abc' + t, t++);
  sink += o.lineFor(0).length + o.lineFor(Cap.serverTime).length;
  sink += o.lineFor(Cap.messageTags).length + o.lineFor(Cap.serverTime | Cap.messageTags).length;
});

// ---- fan-out to 500 members ------------------------------------------------------------
/** Stand-in for a net.Socket: TcpConnection only uses these members. */
class NullSocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 50000;
  writable = true;
  writableLength = 0;
  bytes = 0;
  writes = 0;
  write(data: string): boolean {
    this.bytes += data.length;
    this.writes++;
    return true;
  }
  setNoDelay(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    return this;
  }
}

const benchConfig: Config = validateConfig(
  {
    serverName: 'tincan.bench',
    flood: { enabled: true, linesPerSecond: 100000, burst: 100000, maxQueued: 1000000 },
    connections: { enabled: true, perIp: 1000000, ratePerMinute: 1000000, maxClients: 100000 },
    logLevel: 'silent',
  },
  DEFAULT_CONFIG,
);

function fanoutRoom(members: number, history?: History): { send: (line: string) => void; sockets: NullSocket[] } {
  const server = new IrcServer(benchConfig, pino({ level: 'silent' }), history ? { tickMs: 3_600_000, history } : { tickMs: 3_600_000 });
  const sockets: NullSocket[] = [];
  for (let i = 0; i < members; i++) {
    const sock = new NullSocket();
    server.accept(new TcpConnection(sock as unknown as Socket, () => benchConfig));
    sockets.push(sock);
    const nick = 'm' + String(i).padStart(4, '0');
    sock.emit('data', Buffer.from(`NICK ${nick}\r\nUSER ${nick} 0 * :bench\r\nJOIN #bench\r\n`));
  }
  const sender = sockets[0]!;
  return {
    sockets,
    send(line: string) {
      sender.emit('data', Buffer.from(line));
    },
  };
}

/** One event-loop turn: TcpConnection's shared per-tick flush runs before this resolves. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

for (const withHistory of [false, true]) {
  // with history: the default configuration (SQLite store, write-behind once per tick)
  const dir = mkdtempSync(join(tmpdir(), 'tincan-micro-'));
  const history = withHistory ? new History({ storage: await openStorage('sqlite', dir), logger: pino({ level: 'silent' }) }) : undefined;
  const room = fanoutRoom(500, history);
  const pre = withHistory ? 'fanout500+history' : 'fanout500';
  await tick();
  let seq = 0;
  const line = (): string => `PRIVMSG #bench :${seq++} 1700000000000000000\r\n`;
  // one message per event-loop turn, and ten (a busy turn: one socket write per member)
  await bench(
    pre + '/privmsg-1-per-tick',
    async () => {
      room.send(line());
      await tick();
    },
    { extra: (ops) => ({ deliveries_per_s: Math.round(ops * 499) }) },
  );
  await bench(
    pre + '/privmsg-10-per-tick',
    async () => {
      let s = '';
      for (let i = 0; i < 10; i++) s += line();
      room.send(s);
      await tick();
    },
    { extra: (ops) => ({ deliveries_per_s: Math.round(ops * 10 * 499) }) },
  );
  const s0 = room.sockets[1]!;
  if (s0.writes === 0 || s0.bytes === 0) throw new Error('fanout500: members received nothing');
  if (history !== undefined) await history.storage.close();
  rmSync(dir, { recursive: true, force: true });
}

// ---- history append (bench/history.ts, its own script and output lines) --------------
const here = dirname(fileURLToPath(import.meta.url));
const historyBench = join(here, 'history.ts');
if (existsSync(historyBench) && (filter === '' || 'history'.includes(filter) || filter.startsWith('history'))) {
  // 100k messages (its default is 1M): append throughput and reads, printed as `history.*: ...`
  const r = spawnSync(process.execPath, ['--import', 'tsx', historyBench, '100000'], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}

if (sink === -1) console.log(sink);
