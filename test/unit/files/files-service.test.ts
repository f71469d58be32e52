/**
 * The file service behind a real (unlistening) web server on port 0, with an injected
 * clock and fake sessions: budget expiry oldest first, age expiry, token expiry, the
 * upload rate, a full disk (ENOSPC from the write stream), and tidying after a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, createWriteStream, mkdirSync, mkdtempSync, openSync, readdirSync, write, writeFileSync, writev, type WriteStream } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import { createWebServer } from '../../../src/transports/web-server.js';
import { FileService, type FileSessions } from '../../../src/files/service.js';
import { MemoryFileStore } from '../../../src/storage/memory/memory-storage.js';
import { makeConfig } from '../../helpers/harness.js';
import { eventually } from '../../helpers/tmux.js';
import type { Config } from '../../../src/config/types.js';

interface Fake {
  nick: string;
  alive: boolean;
  told: string[];
  shared: string[];
}

const logger = pino({ level: 'silent' });

async function setup(files: Record<string, unknown> = {}, more: { createWriteStream?: (p: string) => WriteStream; store?: MemoryFileStore; data?: string } = {}) {
  let now = 1_800_000_000_000;
  const config: Config = makeConfig({ files });
  const data = more.data ?? mkdtempSync(join(tmpdir(), 'tincan-fsvc-'));
  const sessions: FileSessions<Fake> = {
    alive: (s) => s.alive,
    ip: () => '10.0.0.7',
    nick: (s) => s.nick,
    link: () => ({ localHost: '10.0.0.1:4444', secure: false }),
    share: (s, _t, text) => (s.shared.push(text), null),
    notify: (s, text) => void s.told.push(text),
  };
  const svc = await FileService.open<Fake>({
    config: () => config,
    logger,
    store: more.store ?? new MemoryFileStore(),
    dataDir: data,
    sessions,
    now: () => now,
    ...(more.createWriteStream === undefined ? {} : { createWriteStream: more.createWriteStream }),
  });
  const web = createWebServer({ config: () => config, logger, onConnection: () => {}, root: null, routes: svc });
  await new Promise<void>((r) => web.http.listen(0, '127.0.0.1', r));
  const port = (web.http.address() as AddressInfo).port;
  const alice: Fake = { nick: 'alice', alive: true, told: [], shared: [] };
  const put = (path: string, body: Buffer): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path, method: 'PUT', agent: false, headers: { 'Content-Length': String(body.length) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const upload = async (name: string, n: number, who = alice) => {
    const link = svc.issue(who, '#room');
    assert.ok(typeof link !== 'string');
    return put(new URL(link.url).pathname + name, Buffer.alloc(n, 5));
  };
  return {
    svc,
    data,
    port,
    alice,
    put,
    upload,
    advance: (ms: number) => void (now += ms),
    close: () => {
      svc.close();
      web.close();
    },
  };
}

const names = (svc: FileService<Fake>, data: string) => ({ disk: readdirSync(join(data, 'files')).sort(), count: svc.count });

test('the budget expires the oldest files first, once they are older than minKeepSeconds', async () => {
  const t = await setup({ budgetBytes: 3000, minKeepSeconds: 60 });
  try {
    assert.equal((await t.upload('one.bin', 1000)).status, 201);
    t.advance(10_000);
    assert.equal((await t.upload('two.bin', 1000)).status, 201);
    t.advance(10_000);
    assert.equal((await t.upload('three.bin', 1000)).status, 201);
    // full, and nothing is a minute old: refused
    const full = await t.upload('four.bin', 1000);
    assert.equal(full.status, 507);
    assert.match(t.alice.told.at(-1)!, /four\.bin to #room: the server's file space is full/);
    assert.equal(t.svc.totalBytes, 3000);
    // a minute later the oldest may go, and only as many as needed
    t.advance(55_000);
    const ok = await t.upload('four.bin', 1500);
    assert.equal(ok.status, 201);
    const left = [...t.alice.shared].map((s) => /shared (\S+)/.exec(s)![1]);
    assert.deepEqual(left, ['one.bin', 'two.bin', 'three.bin', 'four.bin']);
    assert.equal(t.svc.count, 2, 'one.bin and two.bin expired (1500 needed 2 files of 1000)');
    assert.equal(t.svc.totalBytes, 2500);
    assert.equal(names(t.svc, t.data).disk.length, 2);
  } finally {
    t.close();
  }
});

test('files past maxAgeDays are deleted by the sweep', async () => {
  const t = await setup({ maxAgeDays: 1 });
  try {
    assert.equal((await t.upload('old.bin', 10)).status, 201);
    t.advance(86400_000 - 1);
    t.svc.sweep();
    assert.equal(t.svc.count, 1);
    t.advance(2);
    t.svc.sweep();
    assert.equal(t.svc.count, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(names(t.svc, t.data).disk, []);
  } finally {
    t.close();
  }
});

test('an upload link expires after files.tokenSeconds, and is for one file', async () => {
  const t = await setup({ tokenSeconds: 60 });
  try {
    const link = t.svc.issue(t.alice, '#room');
    assert.ok(typeof link !== 'string');
    const path = new URL(link.url).pathname;
    assert.match(link.url, /^http:\/\/10\.0\.0\.1:4444\/u\/[A-Za-z0-9_-]{32}\/$/);
    t.advance(60_001);
    const late = await t.put(path + 'a.txt', Buffer.from('x'));
    assert.equal(late.status, 403);
    const fresh = t.svc.issue(t.alice, '#room') as { url: string };
    assert.equal((await t.put(new URL(fresh.url).pathname + 'a.txt', Buffer.from('x'))).status, 201);
    assert.equal((await t.put(new URL(fresh.url).pathname + 'b.txt', Buffer.from('x'))).status, 403, 'spent');
  } finally {
    t.close();
  }
});

test('uploads are rate limited per address (429 and a line in chat), and the rate refills', async () => {
  const t = await setup({ uploadsPerMinute: 2 });
  try {
    assert.equal((await t.upload('1', 1)).status, 201);
    assert.equal((await t.upload('2', 1)).status, 201);
    const third = await t.upload('3', 1);
    assert.equal(third.status, 429);
    assert.match(third.text, /at most 2 a minute/);
    assert.match(t.alice.told.at(-1)!, /too many uploads/);
    t.advance(30_000);
    assert.equal((await t.upload('3', 1)).status, 201);
  } finally {
    t.close();
  }
});

test('a full disk (ENOSPC while writing) is a 507 saying so, and the temporary file is removed', async () => {
  const t = await setup({}, {
    createWriteStream: (p) => {
      const ws = createWriteStream(p, { flags: 'wx' });
      let n = 0;
      const write = ws._write.bind(ws);
      ws._write = (chunk: Buffer, enc, cb) => {
        n += chunk.length;
        if (n > 2000) return cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
        write(chunk, enc, cb);
      };
      return ws;
    },
  });
  try {
    const r = await t.upload('big.bin', 100_000);
    assert.equal(r.status, 507);
    assert.match(r.text, /disk is full; nothing was kept/);
    assert.match(t.alice.told.at(-1)!, /disk is full/);
    assert.deepEqual(names(t.svc, t.data), { disk: [], count: 0 });
    assert.equal(t.svc.reservedBytes, 0);
  } finally {
    t.close();
  }
});

/** Write streams whose open waits until `open()` is called (a disk that has not answered yet). */
function heldOpen(): { open?: () => void; createWriteStream: (p: string) => WriteStream } {
  const held: { open?: () => void; createWriteStream: (p: string) => WriteStream } = {
    createWriteStream: (p) =>
      createWriteStream(p, {
        flags: 'wx',
        fs: {
          open: (path: string, flags: string, mode: number, cb: (err: Error | null, fd?: number) => void) => {
            held.open = () => cb(null, openSync(path, flags, mode));
          },
          write,
          writev,
          close,
        },
      }),
  };
  return held;
}

test('a refusal that comes before the temporary file is even open still leaves nothing (the removal waits for the open)', async () => {
  // the stream's open is held until the refusal has happened: without the wait, the
  // removal runs first and the late open then creates a file nobody removes
  const held = heldOpen();
  const t = await setup({ maxFileBytes: 1000 }, { createWriteStream: held.createWriteStream });
  try {
    const link = t.svc.issue(t.alice, '#room') as { url: string };
    const refused = new Promise<number>((resolve, reject) => {
      const req = request({ port: t.port, host: '127.0.0.1', path: new URL(link.url).pathname + 'big.bin', method: 'PUT', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(800));
      req.write(Buffer.alloc(800));
      req.end();
    });
    await eventually(() => t.alice.told.some((l) => /bigger than 1000 bytes/.test(l)), 'the refusal');
    assert.ok(held.open !== undefined, 'the open is still pending when the upload is refused');
    held.open();
    assert.equal(await refused, 413);
    assert.deepEqual(names(t.svc, t.data), { disk: [], count: 0 });
    assert.equal(t.svc.reservedBytes, 0);
  } finally {
    t.close();
  }
});

test('a refusal stuck behind a disk that never opens the file: the peer is cut off at files.idleTimeout, not kept waiting', { timeout: 10_000 }, async () => {
  const held = heldOpen();
  const t = await setup({ maxFileBytes: 1000, idleTimeout: 0.3 }, { createWriteStream: held.createWriteStream });
  try {
    const link = t.svc.issue(t.alice, '#room') as { url: string };
    const ended = await new Promise<string>((resolve) => {
      const req = request({ port: t.port, host: '127.0.0.1', path: new URL(link.url).pathname + 'big.bin', method: 'PUT', agent: false }, (res) => {
        res.resume();
        resolve(`status ${res.statusCode ?? 0}`);
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.write(Buffer.alloc(1500));
      req.end();
    });
    assert.equal(ended, 'ECONNRESET');
    assert.match(t.alice.told.at(-1)!, /bigger than 1000 bytes/);
    assert.equal(t.svc.reservedBytes, 0);
    // the disk comes back: the late file is still removed
    assert.ok(held.open !== undefined);
    held.open();
    await eventually(() => names(t.svc, t.data).disk.length === 0, 'the late temporary file removed');
  } finally {
    t.close();
  }
});

test('an upload that stops sending is cut off after files.idleTimeout (408) and leaves nothing; the connection carries nothing over', async () => {
  const t = await setup({ idleTimeout: 0.3 });
  try {
    const link = t.svc.issue(t.alice, '#room') as { url: string };
    const { port } = t;
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (got += d));
    s.write(`PUT ${new URL(link.url).pathname}slow.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n`);
    s.write(Buffer.alloc(100, 1));
    await new Promise((r) => s.once('close', r));
    assert.match(got, /^HTTP\/1\.1 408 /);
    assert.match(got, /no data for 0\.3 s/);
    assert.deepEqual(names(t.svc, t.data), { disk: [], count: 0 });
    assert.equal(t.svc.reservedBytes, 0);
    assert.match(t.alice.told.at(-1)!, /no data for 0\.3 s/);
  } finally {
    t.close();
  }
});

test('on open, leftovers of a crash are tidied: temporary files, files without metadata, metadata without a file', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tincan-fsvc-'));
  mkdirSync(join(data, 'files'));
  writeFileSync(join(data, 'files', '.upload-0123456789abcdef01234567'), 'half');
  writeFileSync(join(data, 'files', 'ORPHANORPHANORPH'), 'no metadata');
  writeFileSync(join(data, 'files', 'KEEPKEEPKEEPKEEP'), 'kept');
  const store = new MemoryFileStore();
  const meta = { name: 'k.txt', type: 'application/octet-stream', size: 4, owner: '10.0.0.7', nick: 'a', target: '#room', createdAt: 1 };
  await store.addFile({ id: 'KEEPKEEPKEEPKEEP', ...meta });
  await store.addFile({ id: 'GONEGONEGONEGONE', ...meta });
  const t = await setup({ maxAgeDays: null }, { store, data });
  try {
    assert.deepEqual(names(t.svc, data), { disk: ['KEEPKEEPKEEPKEEP'], count: 1 });
    assert.deepEqual((await store.listFiles()).map((f) => f.id), ['KEEPKEEPKEEPKEEP']);
    assert.equal(t.svc.usedBy('10.0.0.7'), 4, 'the kept file counts against its owner');
  } finally {
    t.close();
  }
});

test('file names are cleaned: no path, no controls or bidi marks, bounded', async () => {
  const { cleanFileName } = await import('../../../src/files/message.js');
  assert.equal(cleanFileName('../../etc/passwd'), 'passwd');
  assert.equal(cleanFileName('C:\\Users\\me\\cat.png'), 'cat.png');
  assert.equal(cleanFileName('evil\u202egnp.exe'), 'evilgnp.exe');
  assert.equal(cleanFileName('a"b\r\nc.txt'), 'abc.txt');
  assert.equal(cleanFileName('...'), 'file');
  assert.equal(cleanFileName('.hidden'), 'hidden');
  const long = cleanFileName('x'.repeat(300) + '.tar.gz');
  assert.equal(long.length, 100);
  assert.ok(long.endsWith('.gz'));
});
