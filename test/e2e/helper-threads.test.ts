/**
 * `tincan serve` runs its helper threads (V8's GC and compiler workers, libuv's thread
 * pool) HELPER_NICE_BELOW levels below the event loop, the history writer at
 * WRITER_NICE, and the event loop's thread at the priority it was started with
 * (src/util/helper-threads.ts): read from /proc, Linux only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe } from '../helpers/cli-server.js';
import { RawClient } from '../helpers/raw-client.js';
import { threadNice } from '../helpers/threads.js';
import { HELPER_NICE_BELOW } from '../../src/util/helper-threads.js';
import { WRITER_NICE } from '../../src/storage/sqlite/writer.js';

// the server inherits this runner's nice value; its helpers go HELPER_NICE_BELOW under it
const HELPER_NICE = Math.min(19, getPriority() + HELPER_NICE_BELOW);
// from a runner at nice 9 or more they land on the writer's 19: nothing to tell apart
const skip = process.platform !== 'linux' ? 'reads /proc (Linux only)' : HELPER_NICE >= WRITER_NICE ? `this process runs at nice ${getPriority()}: helpers and writer would share ${WRITER_NICE}` : false;

test(`helper threads run ${HELPER_NICE_BELOW} nice levels below the event loop (the history writer at ${WRITER_NICE}), the loop keeps its priority`, { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-threads-'));
  const srv = await spawnServe(['--host', '127.0.0.1', '--port', '0', '--data', dir, '--quiet', '--no-mdns'], [], { dist: true });
  try {
    const pid = srv.proc.pid!;
    const mainNice = threadNice(pid).get(pid);
    assert.equal(mainNice, threadNice(process.pid).get(process.pid), 'the main thread keeps the nice value it was started with');
    // lowered right after "listening": wait for it
    const end = Date.now() + 10_000;
    let threads = threadNice(pid);
    const lowered = (m: Map<number, number>): boolean => [...m].every(([tid, n]) => tid === pid || n === HELPER_NICE || n === WRITER_NICE);
    while (!lowered(threads) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      threads = threadNice(pid);
    }
    const helpers = [...threads].filter(([tid]) => tid !== pid);
    // V8's platform workers (4), libuv's pool (4), the history writer: at least a handful
    assert.ok(helpers.length >= 5, `expected several helper threads, saw ${helpers.length}`);
    assert.deepEqual(helpers.filter(([, n]) => n !== HELPER_NICE && n !== WRITER_NICE), [], `every helper thread at nice ${HELPER_NICE} or ${WRITER_NICE}`);
    // the writer alone at the bottom: V8's and libuv's threads must not be (their compiles
    // and marking starve there when the loop fills the core)
    assert.equal(helpers.filter(([, n]) => n === WRITER_NICE).length, 1, `only the history writer at nice ${WRITER_NICE}`);
    assert.ok(helpers.filter(([, n]) => n === HELPER_NICE).length >= 4, `V8's and libuv's threads at nice ${HELPER_NICE}`);
    assert.equal(threads.get(pid), mainNice, 'the event loop still at its own priority');
    // and it still serves
    const c = await RawClient.connect(srv.port);
    await c.register('nicecheck');
    c.end();
  } finally {
    srv.proc.kill('SIGTERM');
    await new Promise((r) => srv.proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
