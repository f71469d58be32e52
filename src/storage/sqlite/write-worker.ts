/**
 * The history database's write thread (see writer.ts and SqliteStorage): owns the one
 * write connection, runs requests strictly in arrival order, and answers each only after
 * it committed (or failed, with SQLite's error code, e.g. SQLITE_FULL).
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteWriter, WRITER_NICE, runOp, type WriteReply, type WriteRequest, type WriterTestHooks } from './writer.js';

const { file, hooks } = workerData as { file: string; hooks: WriterTestHooks };
// Delivery first: on Linux a nice value set with pid 0 is this thread's only, so when
// both want the same core (the benchmark pins tincan to one) the event loop wins and a
// commit or an indexing batch waits. History's backlog bound caps what waits meanwhile.
try {
  setPriority(0, WRITER_NICE);
} catch {
  // not permitted or not supported: same priority as the event loop
}
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
const writer = new SqliteWriter(db, hooks);
const port = parentPort!;
// id 0: open and ready (SqliteStorage.ready())
port.postMessage({ id: 0, ok: true, value: 0 } satisfies WriteReply);

port.on('message', (r: WriteRequest) => {
  let reply: WriteReply;
  try {
    reply = { id: r.id, ok: true, value: runOp(writer, r) };
  } catch (e) {
    const err = e as { message?: string; code?: unknown };
    reply = { id: r.id, ok: false, message: String(err.message ?? e), code: typeof err.code === 'string' ? err.code : undefined };
  }
  if (r.op === 'close') {
    db.close();
    port.postMessage(reply);
    port.close();
    return;
  }
  port.postMessage(reply);
});
