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
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const LOG_TS = JSON.stringify(fileURLToPath(new URL('../../../src/log.ts', import.meta.url)));

function runChild(code: string, stdio: 'read' | 'unread'): Promise<{ out: string; err: string; report: Record<string, number> | null; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
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
