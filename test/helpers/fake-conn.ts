/**
 * In-memory Connection for unit tests: records every line the core writes and lets a
 * test feed lines in, with no sockets involved.
 */
import type { Connection, ConnectionHandlers } from '../../src/transports/connection.js';

let nextId = 1;

export class FakeConnection implements Connection {
  readonly id = nextId++;
  readonly remoteAddress: string;
  readonly remotePort = 50000;
  readonly secure = false;
  readonly lines: string[] = [];
  handlers: ConnectionHandlers | null = null;
  closed = false;
  closeLine: string | undefined;
  paused = false;
  queuedBytes = 0;
  /** when set, write() fails as a full send queue would */
  failWrites = false;

  constructor(ip = '127.0.0.1') {
    this.remoteAddress = ip;
  }

  attach(h: ConnectionHandlers): void {
    this.handlers = h;
  }

  write(line: string): boolean {
    if (this.closed || this.failWrites) return false;
    this.lines.push(line);
    return true;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  close(finalLine?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeLine = finalLine;
    if (finalLine !== undefined) this.lines.push(finalLine);
    this.handlers?.closed('closed by server');
  }

  /** Simulates the peer sending a line. */
  recv(line: string): void {
    this.handlers?.line(line);
  }

  /** Simulates the peer hanging up. */
  hangup(reason = 'Connection closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.closed(reason);
  }

  /** Returns and forgets what was written so far. */
  take(): string[] {
    return this.lines.splice(0, this.lines.length);
  }
}
