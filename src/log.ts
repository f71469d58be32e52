/**
 * The server's logger: pino, pretty (in-process pino-pretty stream) on a terminal,
 * JSON lines otherwise. TINCAN_LOG=json|pretty overrides the choice.
 *
 * JSON lines go to stdout asynchronously (pino's SonicBoom with sync: false), in
 * batches of LOG_BATCH_BYTES or LOG_FLUSH_MS after the first record, so a log sink that
 * is slow or stuck (a full pipe nobody reads, a busy disk behind a redirect) never
 * blocks the event loop; with synchronous writes the first full pipe stopped every
 * user. The buffer is bounded (LOG_BUFFER_BYTES): past it records are dropped and
 * counted, and a warning goes to stderr at most once a minute. pino flushes what is
 * buffered on process exit. (It also takes the write syscall per record, one per
 * registration, off the loop; the registration rate did not measurably change,
 * docs/performance.md.)
 */
import { writeSync } from 'node:fs';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/** Most log output held in memory while stdout is behind; beyond it records are dropped. */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
/** Records are written in batches of this many bytes, or LOG_FLUSH_MS after the first, whichever comes first. */
const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_MS = 250;
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

function stdoutDestination(): DestinationStream {
  const dest = pino.destination({ fd: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS, maxLength: LOG_BUFFER_BYTES });
  let warned = -Infinity;
  let since = 0;
  dest.on('drop', () => {
    dropped++;
    since++;
    const now = Date.now();
    if (now - warned < DROP_WARN_INTERVAL_MS) return;
    warned = now;
    try {
      writeSync(2, `tincan: log output (stdout) is not being read fast enough: ${since} log record(s) dropped since the last warning\n`);
    } catch {
      // stderr is gone too: nothing left to tell
    }
    since = 0;
  });
  return dest;
}
