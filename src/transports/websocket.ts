/**
 * A WebSocket (from the `ws` package) as a message-oriented Connection, following the
 * IRCv3 WebSocket spec (https://ircv3.net/specs/extensions/websocket):
 *
 * - one IRC line per WebSocket message, without CR/LF (a trailing CR/LF sent by a
 *   lenient client is stripped; a frame carrying several lines is split like TCP input);
 * - subprotocol `text.ircv3.net`: we send text frames; `binary.ircv3.net`: we send
 *   binary frames. Incoming frames of either kind are decoded as UTF-8 with U+FFFD for
 *   invalid sequences (the spec allows binary clients to send non-UTF-8);
 * - a line over limits.maxLineBytes is reported as tooLong() and dropped; frames far
 *   beyond that are refused by ws itself (`maxPayload`, close code 1009).
 *
 * Writes are never blocking: the send queue (lines not yet handed to the kernel, as
 * reported by `ws.bufferedAmount`) is capped at limits.sendQBytes; over it the peer gets
 * `ERROR :SendQ exceeded` and the connection is closed, as with TCP. Writes made during
 * one event-loop turn are corked together into one socket write.
 *
 * Keepalive is the core's business (IRC PING/PONG), not WebSocket ping frames.
 * This module does not do the HTTP upgrade: see web-server.ts.
 */
import type { Socket } from 'node:net';
import type { WebSocket, RawData } from 'ws';
import type { Config } from '../config/types.js';
import { closeText } from '../errors.js';
import type { Connection, ConnectionHandlers } from './connection.js';
import { hostPort, normalizeAddress } from '../util/netmask.js';

/** The two IRCv3 WebSocket subprotocols. */
export const TEXT_PROTOCOL = 'text.ircv3.net';
export const BINARY_PROTOCOL = 'binary.ircv3.net';

/** How long close() waits for the closing handshake before terminating. */
export const WS_CLOSE_GRACE_MS = 2000;
/** How long a SendQ-exceeded connection gets to flush its ERROR line. */
export const WS_SENDQ_GRACE_MS = 500;

/** Distinct from TCP connection ids (logs only). */
let nextId = 1_000_000_001;

const TOO_LONG = null;
type Held = string | typeof TOO_LONG;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export interface WsConnectionOptions {
  /** the TCP (or TLS) socket under the WebSocket, for address and write corking */
  socket: Socket;
  /** subprotocol chosen at upgrade: binary.ircv3.net sends binary frames */
  binary: boolean;
  secure?: boolean;
  config: () => Config;
}

export class WsConnection implements Connection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  readonly localHost: string;
  readonly binary: boolean;

  readonly #ws: WebSocket;
  readonly #socket: Socket;
  readonly #config: () => Config;
  #handlers: ConnectionHandlers | null = null;
  #held: Held[] | null = null;
  #heldBytes = 0;
  #paused = false;
  #corked = false;
  #closing = false;
  #reason: string | null = null;
  #isClosed = false;
  #closedDelivered = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(ws: WebSocket, opts: WsConnectionOptions) {
    this.id = nextId++;
    this.#ws = ws;
    this.#socket = opts.socket;
    this.#config = opts.config;
    this.binary = opts.binary;
    this.secure = opts.secure ?? false;
    this.remoteAddress = normalizeAddress(opts.socket.remoteAddress ?? '');
    this.remotePort = opts.socket.remotePort ?? 0;
    this.localHost = hostPort(normalizeAddress(opts.socket.localAddress ?? '127.0.0.1'), opts.socket.localPort ?? 0);
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data) => this.#onMessage(toBuffer(data)));
    ws.on('error', (err: NodeJS.ErrnoException) => {
      this.#setReason(`Read error: ${err.code ?? err.message}`);
    });
    ws.on('close', () => this.#onClose());
  }

  // ---- reading ---------------------------------------------------------------------

  #onMessage(buf: Buffer): void {
    if (this.#isClosed) return;
    const max = this.#config().limits.maxLineBytes;
    if (buf.length > max + 2) {
      this.#receive(TOO_LONG);
      return;
    }
    const text = decoder.decode(buf);
    // Usually exactly one line; split defensively so CR/LF never reaches the parser.
    let start = 0;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 0x0a;
      if (c !== 0x0a && c !== 0x0d) continue;
      if (i > start) {
        const line = text.slice(start, i);
        if (Buffer.byteLength(line) > max) this.#receive(TOO_LONG);
        else this.#receive(line);
      }
      start = i + 1;
    }
  }

  #receive(item: Held): void {
    if (this.#closing && this.#handlers !== null) return;
    const h = this.#handlers;
    if (h !== null && !this.#paused && this.#held === null) {
      if (item === TOO_LONG) h.tooLong();
      else h.line(item);
      return;
    }
    (this.#held ??= []).push(item);
    this.#heldBytes += item === TOO_LONG ? 1 : item.length;
    if (h === null && this.#heldBytes >= this.#config().limits.maxLineBytes) this.#ws.pause();
  }

  #drainHeld(): void {
    const h = this.#handlers;
    if (h === null) return;
    while (this.#held !== null && !this.#paused) {
      const item = this.#held.shift();
      if (this.#held.length === 0) {
        this.#held = null;
        this.#heldBytes = 0;
      }
      if (item === undefined) break;
      this.#heldBytes -= item === TOO_LONG ? 1 : item.length;
      if (item === TOO_LONG) h.tooLong();
      else h.line(item);
    }
  }

  attach(handlers: ConnectionHandlers): void {
    if (this.#handlers !== null) throw new Error(`connection ${this.id}: attach() called twice`);
    this.#handlers = handlers;
    this.#drainHeld();
    if (this.#isClosed) {
      this.#deliverClosed();
      return;
    }
    if (!this.#paused) this.#ws.resume();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (!this.#isClosed) this.#ws.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#drainHeld();
    if (!this.#paused && !this.#isClosed && this.#handlers !== null) this.#ws.resume();
  }

  // ---- writing ---------------------------------------------------------------------

  get queuedBytes(): number {
    return this.#isClosed ? 0 : this.#ws.bufferedAmount;
  }

  #send(line: string): void {
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      setImmediate(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    if (this.binary) this.#ws.send(Buffer.from(line, 'utf8'), { binary: true });
    else this.#ws.send(line, { binary: false });
  }

  write(line: string): boolean {
    if (this.#closing || this.#ws.readyState !== 1) return false;
    // frame overhead is a few bytes; count the payload like TCP counts line + CRLF
    const bytes = Buffer.byteLength(line) + 2;
    if (this.#ws.bufferedAmount + bytes > this.#config().limits.sendQBytes) {
      this.#sendQExceeded();
      return false;
    }
    this.#send(line);
    return true;
  }

  #sendQExceeded(): void {
    this.#setReason(closeText('TINCAN_ERR_SENDQ'));
    this.#closing = true;
    if (this.#isClosed) return;
    try {
      this.#send(`ERROR :${closeText('TINCAN_ERR_SENDQ')}`);
      this.#ws.close(1008, closeText('TINCAN_ERR_SENDQ'));
    } catch {
      /* socket already gone */
    }
    this.#arm(WS_SENDQ_GRACE_MS);
  }

  close(finalLine?: string): void {
    if (this.#closing) return;
    this.#setReason('Connection closed');
    this.#closing = true;
    if (this.#isClosed) return;
    try {
      if (finalLine !== undefined && this.#ws.readyState === 1) this.#send(finalLine);
      this.#ws.close(1000);
    } catch {
      /* socket already gone */
    }
    this.#arm(WS_CLOSE_GRACE_MS);
  }

  // ---- closing ---------------------------------------------------------------------

  #setReason(reason: string): void {
    if (this.#reason === null) this.#reason = reason;
  }

  #arm(ms: number): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#ws.terminate();
    }, ms);
    this.#timer.unref();
  }

  #onClose(): void {
    if (this.#isClosed) return;
    this.#setReason('Connection closed');
    this.#isClosed = true;
    this.#closing = true;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#handlers !== null) {
      this.#held = null;
      this.#heldBytes = 0;
      this.#deliverClosed();
    }
  }

  #deliverClosed(): void {
    if (this.#closedDelivered || this.#handlers === null) return;
    this.#closedDelivered = true;
    this.#handlers.closed(this.#reason ?? 'Connection closed');
  }
}
