import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Config } from '../../../src/config/types.js';
import type { Connection } from '../../../src/transports/connection.js';
import { CliError, parseServeArgs, runServe, serveUsage, type ServeHandle, type ServerLike } from '../../../src/cli/serve.js';
import { closeText } from '../../helpers/codes.js';

/** Stand-in for src/core/server.ts's IrcServer: greets, echoes, records calls. */
class FakeServer implements ServerLike {
  conns: Connection[] = [];
  reloads: Config[] = [];
  shutdowns: string[] = [];
  constructor(public config: Config) {}
  accept(conn: Connection): void {
    this.conns.push(conn);
    conn.attach({
      line: (l) => conn.write(`ECHO ${l}`),
      tooLong: () => {},
      closed: () => {
        this.conns = this.conns.filter((c) => c !== conn);
      },
    });
    conn.write(`:${this.config.serverName} NOTICE * :hello`);
  }
  reload(config: Config): void {
    this.reloads.push(config);
    this.config = config;
  }
  async shutdown(reason: string): Promise<void> {
    this.shutdowns.push(reason);
    for (const c of this.conns) c.close(`ERROR :${reason}`);
  }
  stats() {
    return { clients: this.conns.length, channels: 0 };
  }
}

const logger = pino({ level: 'silent' });
/** fail instead of hanging when a connection never arrives */
const T = { timeout: 15_000 };
const handles: ServeHandle[] = [];
afterEach(async () => {
  while (handles.length > 0) await handles.pop()!.close();
});

async function start(argv: string[]) {
  let fake!: FakeServer;
  // a temporary data directory unless the test names one: serve writes its TLS certificate there
  if (!argv.includes('--data')) argv = [...argv, '--data', mkdtempSync(join(tmpdir(), 'tincan-serve-data-'))];
  const h = await runServe(argv, {}, {
    signals: false,
    logger,
    createServer: (config) => (fake = new FakeServer(config)),
  });
  handles.push(h);
  return { h, fake: () => fake };
}

async function readLines(port: number, n: number, send?: string): Promise<string[]> {
  const s = connect({ host: '127.0.0.1', port });
  s.setEncoding('utf8');
  await once(s, 'connect');
  if (send !== undefined) s.write(send);
  let buf = '';
  const lines: string[] = [];
  for await (const d of s) {
    buf += d as string;
    let i: number;
    while ((i = buf.indexOf('\r\n')) !== -1) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 2);
    }
    if (lines.length >= n) break;
  }
  s.destroy();
  return lines;
}

test('runServe starts a listener that hands connections to the server, close() shuts down', T, async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-serve-data-'));
  const { h, fake } = await start(['--host', '127.0.0.1', '--port', '0', '--name', 'test.local', '--data', data]);
  assert.ok(h.port > 0);
  assert.equal(h.config().serverName, 'test.local');
  assert.equal(h.config().dataDir, data);
  // an IRC opener, so first-bytes detection hands it over as IRC at once
  assert.deepEqual(await readLines(h.port, 2, 'NICK there\r\n'), [':test.local NOTICE * :hello', 'ECHO NICK there']);

  const s = connect({ host: '127.0.0.1', port: h.port });
  s.setEncoding('utf8');
  let got = '';
  s.on('data', (d: string) => (got += d));
  const sClosed = once(s, 'close');
  await once(s, 'connect');
  s.write('NICK x\r\n');
  // accepted once detection has seen the first line: wait for this socket's greeting
  while (!got.includes('NOTICE')) await new Promise((r) => setTimeout(r, 5));
  await h.close();
  assert.deepEqual(fake().shutdowns, [closeText('TINCAN_ERR_SHUTDOWN')]);
  await sClosed;
  assert.ok(got.endsWith(`ERROR :${closeText('TINCAN_ERR_SHUTDOWN')}\r\n`), got);
  const again = connect({ host: '127.0.0.1', port: h.port });
  const [err] = (await once(again, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');
});

test('port in use gives a clear message and exit code 1', T, async () => {
  const { h } = await start(['--host', '127.0.0.1', '--port', '0']);
  await assert.rejects(start(['--host', '127.0.0.1', '--port', String(h.port)]), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, `port ${h.port} is in use: is another tincan running? use --port to pick another port`);
    return true;
  });
});

test('reload() re-reads the config file; a broken file keeps the old config', T, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-serve-'));
  const file = join(dir, 'tincan.yaml');
  writeFileSync(file, 'host: 127.0.0.1\nport: 0\nmotd: [one]\n');
  const { h, fake } = await start(['--config', file]);
  assert.deepEqual(h.config().motd, ['one']);
  writeFileSync(file, 'host: 127.0.0.1\nport: 0\nmotd: [two]\n');
  assert.equal(h.reload(), true);
  assert.deepEqual(h.config().motd, ['two']);
  assert.deepEqual(fake().reloads.map((c) => c.motd), [['two']]);
  writeFileSync(file, 'port: nope\n');
  assert.equal(h.reload(), false);
  assert.deepEqual(h.config().motd, ['two']);
  assert.equal(fake().reloads.length, 1);
});

test('config errors surface as CliError with the problem', T, async () => {
  await assert.rejects(start(['--host', '127.0.0.1', '--log-level', 'loud']), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.exitCode, 1);
    assert.equal(e.code, 'TINCAN_ERR_CONFIG_INVALID');
    assert.match(e.message, /logLevel: expected one of .* found "loud" \(string\)/);
    return true;
  });
});

test('parseServeArgs maps flags onto config keys', T, () => {
  const a = parseServeArgs(['--host', '::1', '-p', '6667', '--data', 'd', '--name', 'x.y', '--password', 'pw', '--public', '--log-level', 'debug', '-c', 'f.yaml']);
  assert.deepEqual(a, {
    help: false,
    file: 'f.yaml',
    flags: { host: '::1', port: 6667, dataDir: 'd', serverName: 'x.y', password: 'pw', public: true, logLevel: 'debug' },
  });
  assert.deepEqual(parseServeArgs([]), { help: false, flags: {} });
  // --postgres URL is storage: postgres with postgres.url, over whatever the file says
  assert.deepEqual(parseServeArgs(['--postgres', 'postgres://u@h/db']).flags, { storage: 'postgres', postgres: { url: 'postgres://u@h/db' } });
});

test('unknown flags and bad ports are usage errors (exit 2)', T, () => {
  for (const argv of [['--bogus'], ['--port', 'abc'], ['--port', '70000'], ['extra']]) {
    assert.throws(
      () => parseServeArgs(argv),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message.startsWith('tincan serve:'),
      argv.join(' '),
    );
  }
});

test('--help lists every flag with its default', T, async () => {
  const usage = serveUsage();
  for (const flag of ['--host', '--port', '--data', '--name', '--password', '--config', '--public', '--log-level', '--help']) {
    assert.ok(usage.includes(flag), `usage mentions ${flag}`);
  }
  assert.match(usage, /--port <n>\s+TCP port \(default: 4444\)/);
  assert.match(usage, /--host <addr>.*default: ::/);
  await assert.rejects(runServe(['--help'], {}, { signals: false, logger }), (e: unknown) => e instanceof CliError && e.exitCode === 0 && e.message === usage);
});
