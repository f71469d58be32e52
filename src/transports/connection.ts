/**
 * The message-oriented connection every transport (TCP, TLS, WebSocket) hands to the
 * core with `server.accept(conn)`. The core never sees sockets or bytes.
 */
export interface ConnectionHandlers {
  /** one received line, decoded (invalid UTF-8 replaced), without its line ending */
  line(line: string): void;
  /** a line went over the reader's limit and was discarded; reading carries on */
  tooLong(): void;
  /** the peer (or we) closed; called exactly once */
  closed(reason: string): void;
  /** a bug surfaced in the connection's own code (a dialect): log it, drop this session */
  crashed?(err: unknown, stage: string): void;
}

export interface Connection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  /** "host:port" this peer reached (the socket's local end): links it can open, e.g. upload URLs */
  readonly localHost?: string | undefined;
  /** it shows the server-time tag itself (the plain dialect): replays need no time in the text */
  readonly showsServerTime?: boolean;
  /**
   * True while the peer has sent nothing of its own (a silent plain listener, or a
   * browser's speculative socket): the core keeps such a session out of others' sight
   * (no JOIN/PART/QUIT for it, not in NAMES or WHO) until this turns false.
   */
  readonly lurking?: boolean;
  /** Installs the core's handlers; lines received before this are held (bounded) and delivered. */
  attach(handlers: ConnectionHandlers): void;
  /**
   * Queues one line (CRLF appended by the transport). Never blocks; writes are batched
   * per event-loop tick. Returns false when the send queue cap was exceeded: the
   * connection is then already being closed with `ERROR :SendQ exceeded`.
   */
  write(line: string): boolean;
  /** Bytes queued but not yet accepted by the kernel. */
  readonly queuedBytes: number;
  /** Stop / start delivering lines (flood control backpressure). */
  pause(): void;
  resume(): void;
  /** Flush what is queued, optionally preceded by a final line, then close. Idempotent. */
  close(finalLine?: string): void;
}
