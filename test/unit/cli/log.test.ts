import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log.js';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

test('JSON lines when not pretty', () => {
  const s = sink();
  const log = createLogger('info', { pretty: false, destination: s.stream, env: {} });
  log.info({ port: 4444 }, 'tincan listening');
  log.debug('hidden');
  const lines = s.text().trim().split('\n');
  assert.equal(lines.length, 1);
  const obj = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(obj['msg'], 'tincan listening');
  assert.equal(obj['port'], 4444);
  assert.equal(obj['level'], 30);
});

test('pretty output is human-readable text', () => {
  const s = sink();
  const log = createLogger('info', { pretty: true, destination: s.stream, env: {} });
  log.warn('careful');
  assert.match(s.text(), /WARN.*careful/);
  assert.throws(() => JSON.parse(s.text()));
});

test('TINCAN_LOG overrides the choice both ways', () => {
  const a = sink();
  createLogger('info', { pretty: true, destination: a.stream, env: { TINCAN_LOG: 'json' } }).info('x');
  assert.equal((JSON.parse(a.text()) as { msg: string }).msg, 'x');
  const b = sink();
  createLogger('info', { pretty: false, destination: b.stream, env: { TINCAN_LOG: 'pretty' } }).info('y');
  assert.match(b.text(), /INFO.*y/);
});

// ---- the stdout destination (a real child process: fd 1 is what it writes to) ----------
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
// The children run the built module with plain node, as the server runs: tsx itself
// touches process.stdout, which changes fd 1's mode and would hide what is tested here.
const LOG_TS = JSON.stringify(fileURLToPath(new URL('../../../dist/log.js', import.meta.url)));

function runChild(code: string, stdio: 'read' | 'unread'): Promise<{ out: string; err: string; report: Record<string, number> | null; code: number | null }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  let err = '';
  let report: Record<string, number> | null = null;
  // 'unread': nobody reads the child's stdout, so its pipe fills (64 KB) and stays full
  if (stdio === 'read') child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.on('message', (m) => {
    report = m as Record<string, number>;
    if (stdio === 'unread') child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.once('exit', (c) => resolve({ out, err, report, code: c })));
}

test('records buffered for stdout are written when the process exits right after logging', async () => {
  const r = await runChild(
    `import { createLogger } from ${LOG_TS};
     const log = createLogger('info', { pretty: false, env: {} });
     for (let i = 0; i < 200; i++) log.info({ i }, 'record');
     process.exit(0);`,
    'read',
  );
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { i: number });
  assert.equal(lines.length, 200);
  assert.deepEqual(lines.map((l) => l.i), Array.from({ length: 200 }, (_, i) => i));
});

test('records stay whole and in order at exit while the thread pool is busy (logins hashing)', async () => {
  // with writes on libuv's pool, the batch in flight landed after the exit flush or never
  const r = await runChild(
    `import { pbkdf2 } from 'node:crypto';
     import { createLogger } from ${LOG_TS};
     for (let k = 0; k < 4; k++) pbkdf2('x', 'y', 2000000, 32, 'sha256', () => {});
     const log = createLogger('info', { pretty: false, env: {} });
     for (let i = 0; i < 200; i++) log.info({ i }, 'record');
     process.exit(0);`,
    'read',
  );
  assert.equal(r.code, 0, r.err);
  const order = r.out.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  assert.deepEqual(order, Array.from({ length: 200 }, (_, i) => i));
});

for (const kind of ['socket', 'fifo'] as const) {
  test(`a stdout (${kind}) read late loses nothing that fits the buffer, in order, and never blocks the loop`, { timeout: 60_000 }, async () => {
    // 1 MB of records into a pipe nobody reads yet: the writer keeps the rest (EAGAIN,
    // not a blocked loop) and hands it over once the reader starts. A parent's stdio
    // pipe is a socketpair; a shell's `| tee` is a FIFO.
    let stdout: 'pipe' | number = 'pipe';
    let fifo: { rd: number; dir: string } | null = null;
    if (kind === 'fifo') {
      const dir = mkdtempSync(join(tmpdir(), 'tincan-log-'));
      execFileSync('mkfifo', [join(dir, 'out')]);
      const rd = openSync(join(dir, 'out'), constants.O_RDONLY | constants.O_NONBLOCK);
      stdout = openSync(join(dir, 'out'), constants.O_WRONLY); // blocking, as a shell hands it over
      fifo = { rd, dir };
    }
    const child = spawn(process.execPath, ['--input-type=module', '-e',
      `import { fstatSync } from 'node:fs';
       if (fstatSync(1).isFIFO() !== ${kind === 'fifo'}) throw new Error('stdout is not a ${kind}');
       import { createLogger } from ${LOG_TS};
       const log = createLogger('info', { pretty: false, env: {} });
       const pad = 'y'.repeat(1000);
       let ticks = 0;
       const timer = setInterval(() => ticks++, 5);
       for (let i = 0; i < 1000; i++) log.info({ i, pad }, 'late');
       setTimeout(() => process.send({ ticks }), 300);
       process.on('message', () => { clearInterval(timer); process.disconnect(); });`,
    ], { cwd: REPO, stdio: ['ignore', stdout, 'pipe', 'ipc'] });
    if (typeof stdout === 'number') closeSync(stdout);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const report = await Promise.race([
      new Promise<{ ticks: number }>((resolve) => child.once('message', (m) => resolve(m as { ticks: number }))),
      exited.then(() => assert.fail(`the child exited: ${err}`)),
    ]);
    assert.ok(report.ticks > 10, `the loop ran while stdout was full: ${report.ticks} ticks`);
    let out = '';
    if (fifo === null) {
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    } else {
      const { rd } = fifo;
      const buf = Buffer.alloc(65536);
      // 'done' goes once: the child disconnects on it, and a second send would throw
      let told = false;
      // read until every writer is gone (0 bytes); EAGAIN: nothing yet
      for (;;) {
        let n: number;
        try {
          n = readSync(rd, buf);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          if (!told && out.endsWith('\n') && out.split('\n').length > 1000) {
            told = true;
            child.send('done');
          }
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        if (n === 0) break;
        out += buf.toString('utf8', 0, n);
      }
      closeSync(rd);
      rmSync(fifo.dir, { recursive: true, force: true });
    }
    if (fifo === null) child.send('done');
    const code = await exited;
    assert.equal(code, 0, err);
    const order = out.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    assert.deepEqual(order, Array.from({ length: 1000 }, (_, i) => i));
    assert.doesNotMatch(err, /dropped/);
  });
}

test('a stdout nobody reads neither blocks the event loop nor grows memory without bound: records past the buffer are dropped and counted', { timeout: 60_000 }, async () => {
  // 40 MB of records against a 64 KB pipe: synchronous writes block at the first full
  // pipe (the timer below never fires again, no report arrives, the test times out)
  const r = await runChild(
    `import { createLogger, droppedLogRecords, LOG_BUFFER_BYTES } from ${LOG_TS};
     const log = createLogger('info', { pretty: false, env: {} });
     const pad = 'x'.repeat(1000);
     let ticks = 0;
     const timer = setInterval(() => ticks++, 5);
     const rss0 = process.memoryUsage().rss;
     let n = 0;
     const step = () => {
       for (let i = 0; i < 1000; i++) log.info({ n: n++, pad }, 'filler');
       if (n < 40000) { setImmediate(step); return; }
       setTimeout(() => {
         clearInterval(timer);
         process.send({ ticks, dropped: droppedLogRecords(), grewMB: (process.memoryUsage().rss - rss0) / 1048576, bufferMB: LOG_BUFFER_BYTES / 1048576 });
       }, 50);
     };
     step();`,
    'unread',
  );
  assert.ok(r.report !== null, `no report from the child (blocked?): ${r.err}`);
  const rep = r.report as Record<string, number>;
  assert.ok(rep['ticks']! > 0, 'the timer ran while stdout was full');
  assert.ok(rep['dropped']! > 30000, `records dropped: ${rep['dropped']}`);
  assert.ok(rep['grewMB']! < rep['bufferMB']! + 40, `RSS grew ${rep['grewMB']!.toFixed(1)} MB`);
  assert.match(r.err, /log output \(stdout\) is not being read fast enough: \d+ log record\(s\) dropped/);
  // the warning is rate-limited: one line for the whole burst
  assert.equal(r.err.match(/not being read fast enough/g)?.length, 1);
});
