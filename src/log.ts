/**
 * The server's logger: pino, pretty (in-process pino-pretty stream) on a terminal,
 * JSON lines otherwise. TINCAN_LOG=json|pretty overrides the choice.
 */
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

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
  const dest = opts.destination ?? pino.destination({ fd: 1, sync: true });
  return pino(options, dest as DestinationStream);
}
