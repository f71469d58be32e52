/**
 * The server's logger: pino, pretty (in-process pino-pretty stream) on a terminal,
 * JSON lines otherwise. TINCAN_LOG=json|pretty overrides the choice.
 *
 * JSON lines go to stdout through StdoutLog: batched (LOG_BATCH_BYTES, or LOG_FLUSH_MS
 * after the first record), written on the event loop's own thread with a write that
 * cannot block, and bounded (LOG_BUFFER_BYTES: past it records are dropped and counted,
 * with a warning on stderr at most once a minute). A stdout nobody reads (a full pipe)
 * therefore stalls nobody, and since every write happens on one thread, in order, what
 * is still buffered when the process exits is written at exit after everything before
 * it. (pino's SonicBoom with sync: false, used before, wrote on libuv's thread pool: at
 * process.exit the write in flight could land after the synchronous final flush, or
 * never, when the pool was busy hashing logins; sonic-boom issue 101.)
 */
import { constants, fstatSync, openSync, writeSync } from 'node:fs';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/** Most log output held in memory while stdout is behind; beyond it records are dropped. */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
/** Records are written in batches of this many bytes, or LOG_FLUSH_MS after the first, whichever comes first. */
const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_MS = 250;
/** While the pipe is full, try again this often (a failed write costs one syscall). */
const LOG_RETRY_MS = 20;
/** At exit, how long to keep trying a full pipe before the rest is dropped. */
const LOG_EXIT_WAIT_MS = 1000;
const DROP_WARN_INTERVAL_MS = 60_000;

let dropped = 0;
/** Log records dropped because stdout was behind by LOG_BUFFER_BYTES (since start). */
export const droppedLogRecords = (): number => dropped;

export type LogLevel = Level | 'silent';

export interface LoggerOptions {
  /** force pretty (true) or JSON (false); default: stdout is a TTY */
  pretty?: boolean;
  /** where to write (default: stdout) */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** environment to read TINCAN_LOG from (default: process.env) */
  env?: NodeJS.ProcessEnv;
}

export function createLogger(level: LogLevel, opts: LoggerOptions = {}): Logger {
  const env = opts.env ?? process.env;
  const override = env['TINCAN_LOG']?.trim().toLowerCase();
  let pretty = opts.pretty ?? (opts.destination === undefined && process.stdout.isTTY === true);
  if (override === 'json') pretty = false;
  else if (override === 'pretty') pretty = true;

  const options = { level, base: null };
  if (pretty) {
    const colorize = opts.destination === undefined ? process.stdout.isTTY === true : false;
    const stream = pinoPretty({
      colorize,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname',
      sync: true,
      ...(opts.destination === undefined ? {} : { destination: opts.destination }),
    });
    return pino(options, stream);
  }
  const dest = opts.destination ?? stdoutDestination();
  return pino(options, dest as DestinationStream);
}

let stdoutLog: StdoutLog | null = null;

/** One writer per process for fd 1, so every logger's records stay in one order. */
function stdoutDestination(): DestinationStream {
  if (stdoutLog === null) {
    const log = new StdoutLog(nonBlockingStdout(), warnDropped);
    process.on('exit', () => log.flushAtExit());
    stdoutLog = log;
  }
  return stdoutLog;
}

let warned = -Infinity;
let droppedSinceWarning = 0;
function warnDropped(records: number): void {
  dropped += records;
  droppedSinceWarning += records;
  const now = Date.now();
  if (now - warned < DROP_WARN_INTERVAL_MS) return;
  warned = now;
  try {
    writeSync(2, `tincan: log output (stdout) is not being read fast enough: ${droppedSinceWarning} log record(s) dropped since the last warning\n`);
  } catch {
    // stderr is gone too: nothing left to tell
  }
  droppedSinceWarning = 0;
}

/**
 * fd 1 is blocking as the process inherits it, so a full pipe would stop the loop. A
 * pipe or a terminal: open the same object again (/proc/self/fd/1) with O_NONBLOCK, a
 * flag of this new open file only, so a full pipe answers EAGAIN. A socket (a service
 * manager's log socket, or a parent's stdio pipe, which Node makes a socketpair) cannot
 * be reopened (ENXIO): Node's own stream for it puts fd 1 in non-blocking mode (libuv
 * streams need it), so create that. A regular file (a redirect) keeps fd 1 as it is:
 * writes go to the page cache and share the offset with stderr when both go to one file.
 */
function nonBlockingStdout(): number {
  try {
    const st = fstatSync(1);
    if (st.isFIFO() || st.isCharacterDevice()) return openSync('/proc/self/fd/1', constants.O_WRONLY | constants.O_NONBLOCK);
    if (st.isSocket()) void process.stdout;
  } catch {
    // no /proc, or fd 1 closed: fd 1 as it is (a closed one drops what is written)
  }
  return 1;
}

/** A bounded, batching writer to one file descriptor that never waits for it (see the top of this file). */
class StdoutLog {
  /** records not yet turned into `head` */
  private queued: string[] = [];
  /** bytes of the current batch that the last write did not take */
  private head: Buffer | null = null;
  /** bytes held: `queued` plus `head` */
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private dead = false;

  constructor(
    private readonly fd: number,
    /** told how many records were dropped (buffer full, or the descriptor gone) */
    private readonly onDrop: (records: number) => void,
  ) {}

  write(record: string): boolean {
    const n = Buffer.byteLength(record);
    if (this.dead || this.bytes + n > LOG_BUFFER_BYTES) {
      this.onDrop(1);
      return false;
    }
    this.queued.push(record);
    this.bytes += n;
    if (this.head === null && this.bytes >= LOG_BATCH_BYTES) this.flush();
    else this.schedule(this.head === null ? LOG_FLUSH_MS : LOG_RETRY_MS);
    return true;
  }

  /** Writes what the descriptor takes now; the rest waits for the retry timer. */
  flush(cb?: (err?: Error) => void): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.bytes > 0 && this.writeSome()) {
      // keep going while the descriptor takes everything it is given
    }
    if (this.bytes > 0) this.schedule(LOG_RETRY_MS);
    cb?.();
  }

  /** process.exit: no more turns of the loop, so wait (bounded) for a full pipe, then drop the rest. */
  flushAtExit(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const deadline = Date.now() + LOG_EXIT_WAIT_MS;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (this.bytes > 0 && !this.dead) {
      if (this.writeSome()) continue;
      if (Date.now() >= deadline) break;
      Atomics.wait(nap, 0, 0, 5);
    }
    if (this.bytes > 0) this.dropAll();
  }

  /** One write; true when it took the whole batch. */
  private writeSome(): boolean {
    if (this.head === null) {
      this.head = Buffer.from(this.queued.length === 1 ? this.queued[0]! : this.queued.join(''));
      this.queued = [];
    }
    let n: number;
    try {
      n = writeSync(this.fd, this.head);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return false;
      // EPIPE, EBADF: nobody will read this stream again; anything else (ENOSPC on a
      // redirect to a full disk) loses this batch, and the next one is tried as usual
      if (code === 'EPIPE' || code === 'EBADF') this.dead = true;
      this.dropAll();
      return false;
    }
    this.bytes -= n;
    if (n >= this.head.length) {
      this.head = null;
      return true;
    }
    this.head = this.head.subarray(n);
    return false;
  }

  private dropAll(): void {
    // a partly written batch counts as one record lost (it will end mid-line)
    const records = this.queued.length + (this.head === null ? 0 : 1);
    this.queued = [];
    this.head = null;
    this.bytes = 0;
    if (records > 0) this.onDrop(records);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ms);
    this.timer.unref();
  }
}
