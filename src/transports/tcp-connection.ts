/**
 * A TCP socket as a message-oriented Connection.
 *
 * Reads go through a bounded LineReader. Writes are queued in one shared output log (a
 * line fanned out to many connections is logged once; each connection keeps the runs of
 * the log it owes, see write()) and flushed
 * by ONE shared setImmediate for all connections: everything the core writes while
 * handling a whole poll phase (many sockets' input) is coalesced into a single
 * socket.write per connection. A long flush is cut into time slices (FLUSH_SLICE_MS)
 * and a turn's input is bounded in writes and time (TURN_*), so no turn holds the loop
 * for long; see flushAll. The send queue (what is owed + socket.writableLength)
 * is capped at limits.sendQBytes; over it the connection is closed with
 * "ERROR :SendQ exceeded".
 *
 * Kept lean for 10k idle connections: no per-connection timers except a short
 * destroy timer while closing, no buffers held when idle.
 */
import type { Socket } from 'node:net';
import type { Config } from '../config/types.js';
import { closeText } from '../errors.js';
import type { Connection, ConnectionHandlers } from './connection.js';
import { LineReader } from './line-reader.js';
import { hostPort, normalizeAddress } from '../util/netmask.js';

/** How long close() waits for the peer to close before destroying the socket. */
export const CLOSE_GRACE_MS = 2000;
/** How long a SendQ-exceeded connection gets to flush its ERROR line. */
export const SENDQ_GRACE_MS = 500;

let nextId = 1;
/** the previous connection's localHost (shared: see the constructor) */
let lastLocalHost = '';

/** Bytes read from all TCP connections (one add per chunk; src/util/loop-probe.ts reads it). */
let readBytes = 0;
export const totalReadBytes = (): number => readBytes;
/** Line connections made and closed (the probe tells a mass disconnect from a step by them). */
let openedConns = 0;
let closedConns = 0;
export const connectionCounts = (): { opened: number; closed: number } => ({ opened: openedConns, closed: closedConns });

// ---- shared per-tick flush ---------------------------------------------------------
let dirty: TcpConnection[] = [];
let flushScheduled = false;

/**
 * One flush writes sockets for at most this long (checked every FLUSH_CHECK sockets),
 * then lets the loop go round (timers run, sockets are read) and goes on with the rest
 * in the next turn. A 500-member room is 500 `write` syscalls, ~10 ms on the bench VM,
 * and two messages in one turn were the 20-26 ms loop delays of fanout500's lowest
 * steps (docs/performance.md, fourth pass). Each socket is still written once per
 * flush. While a flush is unfinished no new input is handled (it is held, see
 * owed): output goes first, so a saturated loop cannot queue faster than it writes.
 */
export const FLUSH_SLICE_MS = 6;
const FLUSH_CHECK = 16;
/**
 * Sockets at the head of `dirty` that a cut flush still owes its write; input waits while
 * any are left. Only those: what timers or other transports (WebSocket clients) write
 * meanwhile joins the end of the list and does not extend the wait, or a steady trickle
 * of such writes to a big room would hold TCP input back for as long as it lasted.
 */
let owed = 0;
/** @internal test hook: a flush was cut and is not finished yet */
export const flushUnfinished = (): boolean => owed > 0;
/** the clock of the slice and turn budgets (ms); tests inject one (setTurnClock) */
let clock: () => number = () => performance.now();
/** @internal test hook: replaces the budgets' clock; returns a function that restores it */
export function setTurnClock(now: () => number): () => void {
  const prev = clock;
  const use = (c: () => number): void => {
    clock = c;
    turnLines = 0; // a turn started on the other clock
    turnOver = false;
  };
  use(now);
  return () => use(prev);
}

function scheduleFlush(): void {
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

function flushAll(): void {
  flushScheduled = false;
  const list = dirty;
  const t0 = clock();
  let i = 0;
  while (i < list.length) {
    list[i++]!.flush();
    if (i % FLUSH_CHECK === 0 && i < list.length && clock() - t0 > FLUSH_SLICE_MS) break;
  }
  if (turnWrites > maxTurnWrites) maxTurnWrites = turnWrites;
  turnWrites = 0;
  turnLines = 0;
  turnOver = false;
  // a fresh flush that was cut owes its rest; a continued one pays off what it wrote
  owed = owed > 0 ? Math.max(0, owed - i) : list.length - i;
  // every flush empties the log; the sockets a cut one leaves get what they still owe as
  // one entry each of the fresh log, so the log never outlives a flush however long
  // flushes keep being cut
  const left = i === list.length ? [] : list.slice(i);
  const owedData = left.length === 0 ? null : left.map((c) => c.owedData());
  resetLog();
  if (owedData !== null) for (let k = 0; k < left.length; k++) left[k]!.rebase(owedData[k]!);
  dirty = left;
  if (dirty.length > 0) {
    slicedFlushes++;
    scheduleFlush();
  }
  if (owed > 0) return;
  if (deferred.length > 0) {
    deferredTurns++;
    // input and departures held back by the budget (below) are handled now, before the next poll; what
    // it writes goes out with the next flush, after timers and other sockets had a turn
    const d = deferred;
    deferred = [];
    for (let k = 0; k < d.length; k++) d[k]!.undefer();
  }
}

// ---- per-turn work budget --------------------------------------------------------
/**
 * Line writes (one per recipient per line) queued since the last flush, over all
 * connections. A connection that receives input once this reaches TURN_WRITE_BUDGET
 * holds the lines until after the flush. Without this, one read of a
 * backlog (a sender's 64 KB chunk, ~1,000 PRIVMSGs to a 500-member room = 500,000
 * writes) was one turn of tens of milliseconds, which let more backlog pile up for
 * the next read: the loop-delay stalls of fanout500 (docs/performance.md). The budget
 * (~200 messages to a 500-member room, ~10-15 ms of work on the bench VM) is above a
 * 10 ms batch at the top of the fanout500 sweep (13k msgs/s), so the batching of many
 * lines per socket write that carries throughput is kept; only backlogs are split.
 */
export const TURN_WRITE_BUDGET = 100_000;
/**
 * The same budget in time, for work whose cost is not in writes: many private-message
 * senders in one poll (a write per line, but a parse and dispatch per line), JOINs (a
 * NAMES list each), departures. Measured from the turn's first input line, checked
 * every TURN_CHECK lines; once over, the rest of the turn's input waits like above.
 */
export const TURN_TIME_BUDGET_MS = 10;
const TURN_CHECK = 8;
/**
 * What a connection whose input waits for the next turn may hold before its socket is
 * paused: holding a chunk or two costs nothing, while pausing and resuming a socket is two
 * epoll_ctl calls, for every waiting sender of every cut flush.
 */
export const DEFER_HOLD_BYTES = 64 * 1024;
let turnWrites = 0;
/** input lines and departures handled since the last flush (the time check's clock) */
let turnLines = 0;
let turnStart = 0;
/** this turn used its time budget (sticky until the flush) */
let turnOver = false;
let deferred: TcpConnection[] = [];
/** @internal test hook: line writes queued so far this turn */
export const writesThisTurn = (): number => turnWrites;
let maxTurnWrites = 0;
let deferredTurns = 0;
let slicedFlushes = 0;

/** May this turn take one more input line (or departure)? Counts it when it may. */
function turnHasRoom(): boolean {
  if (owed > 0 || turnOver || turnWrites >= TURN_WRITE_BUDGET) return false;
  if (turnLines === 0) {
    turnStart = clock();
    // the flush ends the turn and resets its counters, even when this input writes nothing
    scheduleFlush();
  } else if (turnLines % TURN_CHECK === 0 && clock() - turnStart > TURN_TIME_BUDGET_MS) {
    turnOver = true;
    return false;
  }
  turnLines++;
  return true;
}
/**
 * The most line writes one turn flushed, and how many turns held input back for the
 * budget, since the last call (src/util/loop-probe.ts reads it per load step).
 */
export function takeTurnStats(): { maxWrites: number; deferred: number; sliced: number } {
  const r = { maxWrites: maxTurnWrites, deferred: deferredTurns, sliced: slicedFlushes };
  maxTurnWrites = deferredTurns = slicedFlushes = 0;
  return r;
}

function markDirty(c: TcpConnection): void {
  dirty.push(c);
  scheduleFlush();
}

type Part = string | Buffer;

/** Per-connection framing options (the plain dialect uses them; IRC uses none). */
export interface TcpConnectionOptions {
  /** bytes already read from the socket (by first-bytes detection), framed first */
  initial?: Buffer;
  /** the client's address when a trusted proxy's PROXY header gave it (else the socket's) */
  remoteAddress?: string;
  /** mark lines that are not valid UTF-8 (IRC: UTF8ONLY; line-reader.ts INVALID_UTF8_MARK) */
  strictUtf8?: boolean;
  /** transforms every chunk before line framing (e.g. stripping telnet commands) */
  inputFilter?: (chunk: Buffer) => Buffer;
  /**
   * Deliver an unterminated line after this much silence, and at close (before
   * `closed`), instead of holding it until a line end arrives. Off when absent.
   */
  flushPartialAfterMs?: number;
}

// ---- the turn's output log (see write() and flush()) ---------------------------------
/**
 * Every line written since the log was last emptied, once each, in order: a fan-out
 * appends its line once, and each recipient only records which run of entries it gets
 * (two numbers, extended in place while it gets consecutive entries). A 500-member room
 * at 65 messages a turn was 32,500 array pushes (and regrowths) per turn, then a
 * compare of those arrays per socket at the flush; now it is an integer store per
 * delivery, and every member with the same run shares one joined Buffer. Emptied by
 * every flush (a cut one first turns what each socket left still owes into one entry of
 * the fresh log), so it holds one flush's worth of lines at most.
 */
let logParts: Part[] = [];
let logBytes: number[] = [];
/** the last line written (a fan-out writes the same string object to every member in a row) */
let memoLine = '';
/** its index in the log (-1: the log was emptied since) */
let memoIdx = -1;
/** the last run joined by flush(): [memoA, memoB) of the log, as memoJoined */
let memoA = -1;
let memoB = -1;
const EMPTY = Buffer.alloc(0);
let memoJoined: Buffer = EMPTY;

function resetLog(): void {
  logParts = [];
  logBytes = [];
  memoIdx = -1;
  memoA = memoB = -1;
  memoJoined = EMPTY;
}

/** Appends a line's wire form to the log; returns its index. */
function logAppend(data: Part, bytes: number): number {
  logParts.push(data);
  logBytes.push(bytes);
  return logParts.length - 1;
}

/** Copies log entries [a, b) into `out` at `off`; returns the offset after them. */
function copyRun(out: Buffer, off: number, a: number, b: number): number {
  for (let i = a; i < b; i++) {
    const x = logParts[i]!;
    off += typeof x === 'string' ? out.write(x, off) : x.copy(out, off);
  }
  return off;
}

/** @internal test hook: entries in the turn's output log */
export const outputLogLength = (): number => logParts.length;

// ---- shared socket listeners (Node calls them with `this` = the socket) ----------------
const OWNER = Symbol('tincan.connection');
type OwnedSocket = Socket & { [OWNER]: TcpConnection };
function onSocketData(this: Socket, chunk: Buffer): void {
  (this as OwnedSocket)[OWNER].onData(chunk);
}
function onSocketEnd(this: Socket): void {
  (this as OwnedSocket)[OWNER].onEnd();
}
function onSocketError(this: Socket, err: NodeJS.ErrnoException): void {
  (this as OwnedSocket)[OWNER].onError(err);
}
function onSocketClose(this: Socket): void {
  (this as OwnedSocket)[OWNER].onClose();
}

/** A held "line too long" event among held lines. */
const TOO_LONG = null;
type Held = string | typeof TOO_LONG;

export class TcpConnection implements Connection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  readonly localHost: string;

  private readonly socket: Socket;
  private readonly config: () => Config;
  private readonly reader: LineReader;
  private handlers: ConnectionHandlers | null = null;
  /** lines received but not yet delivered (before attach, or while paused) */
  private held: Held[] | null = null;
  private heldBytes = 0;
  private paused = false;
  /**
   * What this connection owes from the output log, flushed by flushAll: the last run
   * [runA, runB) (runA -1: nothing), and earlier runs as pairs when the connection's
   * lines were not consecutive in the log (other rooms' or private lines between).
   */
  private runA = -1;
  private runB = -1;
  private runs: number[] | null = null;
  private pendingBytes = 0;
  /**
   * Fixed for the tick at its first write: the send-queue cap minus what the socket
   * still held then. The socket's queue only shrinks until our flush, so checking
   * against this is exact or conservative, and costs no getter chain per line.
   */
  private room = 0;
  /** set once the connection is going away: writes are refused from then on */
  private closing = false;
  /** why we are closing (first reason wins) */
  private reason: string | null = null;
  private isClosed = false;
  private closedDelivered = false;
  private destroyTimer: NodeJS.Timeout | null = null;
  private readonly flushAfterMs: number | undefined;
  private readonly filter: ((chunk: Buffer) => Buffer) | undefined;
  private partialTimer: NodeJS.Timeout | null = null;
  /** input (or the close) held back by the per-turn budget until after the flush (the socket is paused past DEFER_HOLD_BYTES) */
  private deferred = false;

  constructor(socket: Socket, config: () => Config, opts: TcpConnectionOptions = {}) {
    this.id = nextId++;
    openedConns++;
    this.socket = socket;
    this.config = config;
    this.remoteAddress = normalizeAddress(opts.remoteAddress ?? socket.remoteAddress ?? '');
    // a TLSSocket (tls.ts) after its handshake
    this.secure = (socket as { encrypted?: boolean }).encrypted === true;
    this.remotePort = socket.remotePort ?? 0;
    const local = hostPort(normalizeAddress(socket.localAddress ?? '127.0.0.1'), socket.localPort ?? 0);
    // every connection to one listener has the same local address: share the string
    this.localHost = local === lastLocalHost ? lastLocalHost : (lastLocalHost = local);
    // Node caches the getpeername()/getsockname() answers on the socket (two objects and
    // their strings, ~150 bytes per idle connection) and asks again when they are unset;
    // what we need of them is in our fields now
    const cached = socket as unknown as { _peername?: unknown; _sockname?: unknown };
    cached._peername = undefined;
    cached._sockname = undefined;
    // the connection is the reader's handler and the socket's listeners are shared
    // functions (below): no closures per connection (conn10k, docs/performance.md)
    this.reader = new LineReader(config().limits.maxLineBytes, this, { markInvalidUtf8: opts.strictUtf8 === true });
    this.flushAfterMs = opts.flushPartialAfterMs;
    this.filter = opts.inputFilter;
    (socket as OwnedSocket)[OWNER] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    // after the caller has handed us on (accept/attach done), before any later socket data
    const initial = opts.initial;
    if (initial !== undefined && initial.length > 0) queueMicrotask(() => this.onData(initial));
  }

  /** @internal socket 'data' (onSocketData) */
  onData(chunk: Buffer): void {
    if (this.isClosed) return;
    readBytes += chunk.length;
    this.reader.push(this.filter === undefined ? chunk : this.filter(chunk));
    if (this.flushAfterMs !== undefined) this.armPartialFlush();
  }

  /** @internal socket 'end' */
  onEnd(): void {
    this.flushPartial();
    this.setReason('Connection closed');
  }

  /** @internal socket 'error' */
  onError(err: NodeJS.ErrnoException): void {
    const code = err.code ?? err.message;
    this.setReason(code === 'EPIPE' ? `Write error: ${code}` : `Read error: ${code}`);
  }

  /** @internal LineReaderHandlers: a complete line */
  line(line: string): void {
    this.receive(line);
  }

  /** @internal LineReaderHandlers: an over-long line was dropped */
  tooLong(): void {
    this.receive(TOO_LONG);
  }

  /**
   * @internal What this connection holds beyond its fixed fields (perf-idle test): an
   * idle connection should hold none of these.
   */
  idleFootprint(): string[] {
    const out: string[] = [];
    if (this.held !== null) out.push('held lines');
    if (this.runA >= 0 || this.runs !== null) out.push('pending writes');
    if (this.reader.bufferedBytes > 0) out.push('partial line');
    if (this.partialTimer !== null || this.destroyTimer !== null) out.push('timer');
    return out;
  }

  /** (Re)starts the silence timer while an unterminated line is held. */
  private armPartialFlush(): void {
    if (this.partialTimer !== null) {
      clearTimeout(this.partialTimer);
      this.partialTimer = null;
    }
    if (this.reader.bufferedBytes === 0 || this.flushAfterMs === undefined) return;
    this.partialTimer = setTimeout(() => {
      this.partialTimer = null;
      this.reader.flush();
    }, this.flushAfterMs);
    this.partialTimer.unref();
  }

  /** Delivers a held unterminated line now (plain connections only). */
  private flushPartial(): void {
    if (this.flushAfterMs === undefined) return;
    if (this.partialTimer !== null) {
      clearTimeout(this.partialTimer);
      this.partialTimer = null;
    }
    if (!this.isClosed) this.reader.flush();
  }

  // ---- reading ---------------------------------------------------------------------

  private receive(item: Held): void {
    if (this.closing && this.handlers !== null) return; // we're hanging up: ignore input
    const h = this.handlers;
    if (h !== null && !this.paused && this.held === null && turnHasRoom()) {
      if (item === TOO_LONG) h.tooLong();
      else h.line(item);
      return;
    }
    (this.held ??= []).push(item);
    this.heldBytes += item === TOO_LONG ? 1 : item.length;
    // Before attach, hold only a few KB: stop reading until the core attaches.
    if (h === null) {
      if (this.heldBytes >= this.reader.maxBytes) this.socket.pause();
    } else if (!this.paused) {
      // over this turn's budget (or a flush is unfinished): the rest waits for the next
      // turn; past DEFER_HOLD_BYTES the socket is paused until then
      this.defer();
      if (this.heldBytes >= DEFER_HOLD_BYTES && !this.isClosed) this.socket.pause();
    }
  }

  private defer(): void {
    if (this.deferred) return;
    this.deferred = true;
    deferred.push(this);
    scheduleFlush();
  }

  /** @internal flushAll: the budget is fresh, deliver what was held back */
  undefer(): void {
    if (!this.deferred) return;
    this.deferred = false;
    if (this.isClosed) {
      if (!turnHasRoom()) this.defer();
      else this.finishClose();
      return;
    }
    this.drainHeld();
    // the socket is paused only when it held DEFER_HOLD_BYTES (receive)
    if (!this.paused && !this.deferred && !this.isClosed && this.handlers !== null && this.socket.isPaused()) this.socket.resume();
  }

  /** Delivers held lines until paused / closed / empty. */
  private drainHeld(force = false): void {
    const h = this.handlers;
    if (h === null) return;
    while (this.held !== null && !this.paused) {
      if (!force && !turnHasRoom()) {
        this.defer();
        return;
      }
      const item = this.held.shift();
      if (item === undefined) {
        this.held = null;
        this.heldBytes = 0;
        break;
      }
      this.heldBytes -= item === TOO_LONG ? 1 : item.length;
      if (this.held.length === 0) {
        this.held = null;
        this.heldBytes = 0;
      }
      if (item === TOO_LONG) h.tooLong();
      else h.line(item);
    }
  }

  attach(handlers: ConnectionHandlers): void {
    if (this.handlers !== null) throw new Error(`connection ${this.id}: attach() called twice`);
    this.handlers = handlers;
    this.drainHeld();
    if (this.isClosed) {
      this.deliverClosed();
      return;
    }
    if (!this.paused && !this.deferred) this.socket.resume();
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (!this.isClosed) this.socket.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.drainHeld();
    if (!this.paused && !this.deferred && !this.isClosed && this.handlers !== null) this.socket.resume();
  }

  // ---- writing ---------------------------------------------------------------------

  get queuedBytes(): number {
    return this.pendingBytes + (this.isClosed ? 0 : this.socket.writableLength);
  }

  write(line: string): boolean {
    if (this.closing) return false;
    // A fan-out writes the same line object to every member in a row: its wire form is
    // built, measured and logged once (a fresh `line + CRLF` per member was flattened
    // and measured per member: half the CPU of a 500-member fan-out), and from the second
    // member on it is one shared UTF-8 Buffer (a string would be re-encoded by every
    // socket write). A line for one connection (a private message) stays a string: no
    // Buffer allocation, Node encodes it straight into the write.
    let idx: number;
    if (line === memoLine && memoIdx >= 0) {
      idx = memoIdx;
      const d = logParts[idx]!;
      if (typeof d === 'string') logParts[idx] = Buffer.from(d);
    } else {
      const data = line + '\r\n';
      idx = logAppend(data, Buffer.byteLength(data));
      memoLine = line;
      memoIdx = idx;
    }
    const bytes = logBytes[idx]!;
    if (this.runA < 0) {
      this.room = this.config().limits.sendQBytes - this.socket.writableLength;
      if (bytes > this.room) {
        this.sendQExceeded();
        return false;
      }
      this.owe(idx);
      markDirty(this);
    } else {
      if (this.pendingBytes + bytes > this.room) {
        this.sendQExceeded();
        return false;
      }
      this.owe(idx);
    }
    turnWrites++;
    this.pendingBytes += bytes;
    return true;
  }

  /** Adds log entry `idx` to what this connection owes. */
  private owe(idx: number): void {
    if (this.runA >= 0 && idx === this.runB) {
      this.runB++;
      return;
    }
    if (this.runA >= 0) (this.runs ??= []).push(this.runA, this.runB);
    this.runA = idx;
    this.runB = idx + 1;
  }

  /** Forgets what this connection owes. */
  private dropPending(): void {
    this.runA = this.runB = -1;
    this.runs = null;
    this.pendingBytes = 0;
  }

  /** @internal Writes this tick's queued lines in one socket.write. */
  flush(): void {
    if (this.runA < 0) return;
    const data = this.owedData();
    this.dropPending();
    if (this.isClosed || !this.socket.writable) return;
    // write()'s return value only tells us the kernel is behind; writableLength
    // already accounts for it in queuedBytes, so we never wait for 'drain'.
    this.socket.write(data);
  }

  /** @internal What this connection owes from the log, as one piece (empty if nothing). */
  owedData(): Part {
    const a = this.runA;
    if (a < 0) return EMPTY;
    const b = this.runB;
    const runs = this.runs;
    if (runs === null && b - a === 1) return logParts[a]!;
    // members of one channel get the same lines in the same order in a tick: the
    // previous connection's joined Buffer is this one's too (no allocation, no copy)
    if (runs === null && a === memoA && b === memoB) return memoJoined;
    const out = Buffer.allocUnsafe(this.pendingBytes);
    let off = 0;
    if (runs !== null) for (let r = 0; r < runs.length; r += 2) off = copyRun(out, off, runs[r]!, runs[r + 1]!);
    copyRun(out, off, a, b);
    if (runs === null) {
      memoA = a;
      memoB = b;
      memoJoined = out;
    }
    return out;
  }

  /** @internal flushAll, after a cut: what this connection owes becomes one entry of the fresh log. */
  rebase(data: Part): void {
    if (this.runA < 0) return;
    const idx = logAppend(data, this.pendingBytes);
    this.runA = idx;
    this.runB = idx + 1;
    this.runs = null;
  }

  private sendQExceeded(): void {
    this.setReason(closeText('TINCAN_ERR_SENDQ'));
    this.closing = true;
    this.dropPending();
    if (this.isClosed) return;
    if (this.socket.writable) this.socket.end(`ERROR :${closeText('TINCAN_ERR_SENDQ')}\r\n`);
    this.armDestroy(SENDQ_GRACE_MS);
  }

  close(finalLine?: string): void {
    if (this.closing) return;
    this.setReason('Connection closed');
    if (finalLine !== undefined && !this.isClosed) {
      const data = finalLine + '\r\n';
      const bytes = Buffer.byteLength(data);
      this.owe(logAppend(data, bytes));
      this.pendingBytes += bytes;
    }
    this.closing = true;
    this.flush();
    if (this.isClosed) return;
    this.socket.end();
    this.armDestroy(CLOSE_GRACE_MS);
  }

  // ---- closing ---------------------------------------------------------------------

  private setReason(reason: string): void {
    if (this.reason === null) this.reason = reason;
  }

  private armDestroy(ms: number): void {
    if (this.destroyTimer !== null) return;
    this.destroyTimer = setTimeout(() => {
      this.destroyTimer = null;
      this.socket.destroy();
    }, ms);
    this.destroyTimer.unref();
  }

  /** @internal socket 'close' */
  onClose(): void {
    if (this.isClosed) return;
    closedConns++;
    // an unterminated line is still a message (e.g. the peer reset without FIN)
    if (!this.closing) this.flushPartial();
    // lines held back only by the turn budget were received before the close: they are
    // handled before `closed`; lines held while paused are dropped (unless not attached)
    const keepHeld = !this.closing && !this.paused;
    this.isClosed = true;
    this.closing = true;
    this.dropPending();
    this.reader.reset();
    if (this.partialTimer !== null) {
      clearTimeout(this.partialTimer);
      this.partialTimer = null;
    }
    if (this.destroyTimer !== null) {
      clearTimeout(this.destroyTimer);
      this.destroyTimer = null;
    }
    if (this.handlers === null) return; // attach() delivers what is held, then closed
    if (!keepHeld) {
      this.held = null;
      this.heldBytes = 0;
    }
    // a departure is work too (a QUIT to every shared room's members): when a turn is
    // over budget (500 clients dropping at once = 250,000 writes) it waits for the next
    if (this.deferred || !turnHasRoom()) {
      this.defer();
      return;
    }
    this.finishClose();
  }

  private finishClose(): void {
    this.drainHeld(true);
    this.held = null;
    this.heldBytes = 0;
    this.deliverClosed();
  }

  private deliverClosed(): void {
    if (this.closedDelivered || this.handlers === null) return;
    this.closedDelivered = true;
    this.handlers.closed(this.reason ?? 'Connection closed');
  }
}
