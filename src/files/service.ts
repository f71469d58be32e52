/**
 * Shared files, on the HTTP side of the IRC port (web-server.ts hands it /u/ and /f/).
 *
 * Upload: `PUT /u/<token>/<name>` (or POST) with the raw bytes, the token from UPLOAD
 * (src/core/commands/upload.ts, tokens.ts). The body streams to a temporary file in
 * `<dataDir>/files/`, counted against the smallest of the size cap, the uploader's quota
 * and what the disk budget has left; past the bound, or on a cut connection, an idle
 * connection or a full disk, the temporary file is removed and nothing is kept. A
 * complete file is renamed to its id (96 random bits), its metadata stored (FileStore),
 * and the uploader's session posts its link into the room. Every decision about room
 * (quota, budget, expiry) is taken synchronously on the in-memory index, with the
 * upload's bound reserved up front, so two uploads never both take the last bytes.
 *
 * Download: `GET /f/<id>/<name>`. Whoever has the link can fetch the file: the link is
 * only ever posted to the room (or the private conversation) it was shared with, and is
 * kept in that room's history. Served as an attachment with nosniff, except png, jpeg,
 * gif and webp, whose type is decided from their first bytes (never from the name or
 * the uploader's Content-Type) and which are shown inline; HTML and SVG never are.
 * Every download also carries `Content-Security-Policy: sandbox`, so even a browser that
 * rendered one could run nothing.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { FileStore, StoredFile } from '../storage/types.js';
import { TokenBucket } from '../util/token-bucket.js';
import { addressGroup } from '../util/netmask.js';
import { hasBody, originAllowed } from '../transports/web-server.js';
import { contentDisposition, declaredLength, refuse, sniffType } from './http.js';
import { DOWNLOAD_PATH, FILE_ID_LENGTH, INLINE_TYPES, UPLOAD_PATH, cleanFileName, humanSize, shareText } from './message.js';
import { UploadTokens } from './tokens.js';

/** The directory under dataDir. */
export const FILES_DIR = 'files';
const TMP_PREFIX = '.upload-';
/** Upload rate limiters kept (one per address group); the oldest go first. */
const MAX_LIMITERS = 10000;

/** What the service needs from the core (an IrcServer adapter, see serve.ts). */
export interface FileSessions<S> {
  /** still connected and registered */
  alive(s: S): boolean;
  ip(s: S): string;
  nick(s: S): string;
  /** the host:port and TLS of the connection the session came in on */
  link(s: S): { localHost: string | undefined; secure: boolean };
  /** posts the share as the session; null when sent, else why not */
  share(s: S, target: string, text: string): string | null;
  /** a server NOTICE to the session */
  notify(s: S, text: string): void;
}

export interface FileServiceOptions<S> {
  config: () => Config;
  logger: Logger;
  store: FileStore;
  /** the data directory (files go in its files/ subdirectory) */
  dataDir: string;
  sessions: FileSessions<S>;
  /** ms since the epoch (tests inject it) */
  now?: () => number;
  /** test hook: opens the temporary file (ENOSPC is simulated here) */
  createWriteStream?: (path: string) => WriteStream;
}

/** What web-server.ts lets a route do with the socket's HTTP deadlines. */
export interface RouteControl {
  /** stop the request deadline: the route keeps its own (idle) timeout */
  clearDeadline(): void;
  /** the client sent `Expect: 100-continue` and waits for it before the body */
  expectsContinue: boolean;
}

export class FileService<S> {
  readonly dir: string;
  readonly tokens: UploadTokens<S>;
  readonly #o: FileServiceOptions<S>;
  readonly #now: () => number;
  /** the index: every stored file, in insertion (= age) order */
  readonly #files = new Map<string, StoredFile>();
  readonly #byOwner = new Map<string, number>();
  #total = 0;
  /** bytes reserved by uploads in progress, in total and per owner */
  #reserved = 0;
  readonly #reservedBy = new Map<string, number>();
  readonly #limiters = new Map<string, TokenBucket>();
  /** temporary files being written (removed on close too) */
  readonly #temps = new Set<string>();
  #sweepTimer: NodeJS.Timeout;

  private constructor(o: FileServiceOptions<S>, files: StoredFile[]) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.dir = join(o.dataDir, FILES_DIR);
    this.tokens = new UploadTokens<S>(this.#now);
    for (const f of files) this.#index(f);
    this.#sweepTimer = setInterval(() => this.sweep(), 60_000);
    this.#sweepTimer.unref();
  }

  /**
   * Opens the files directory and the index. Leftovers of a crash are tidied: temporary
   * files removed, files on disk without metadata removed, metadata without a file dropped.
   */
  static async open<S>(o: FileServiceOptions<S>): Promise<FileService<S>> {
    const dir = join(o.dataDir, FILES_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const listed = await o.store.listFiles();
    const onDisk = new Set(readdirSync(dir));
    const kept: StoredFile[] = [];
    for (const f of listed) {
      if (onDisk.has(f.id)) kept.push(f);
      else await o.store.deleteFile(f.id);
    }
    const known = new Set(kept.map((f) => f.id));
    for (const name of onDisk) if (!known.has(name)) rmSync(join(dir, name), { force: true, recursive: true });
    const svc = new FileService(o, kept);
    svc.sweep();
    return svc;
  }

  get totalBytes(): number {
    return this.#total;
  }
  get count(): number {
    return this.#files.size;
  }
  /** bytes reserved by uploads in progress (0 when none) */
  get reservedBytes(): number {
    return this.#reserved;
  }
  usedBy(owner: string): number {
    return this.#byOwner.get(owner) ?? 0;
  }
  file(id: string): StoredFile | undefined {
    return this.#files.get(id);
  }

  close(): void {
    clearInterval(this.#sweepTimer);
    for (const t of [...this.#temps]) this.#removeTemp(t);
  }

  #removeTemp(path: string): void {
    this.#temps.delete(path);
    try {
      rmSync(path, { force: true });
    } catch (err) {
      this.#o.logger.error({ err, path }, 'could not remove a temporary upload file');
    }
  }

  #cfg(): Config['files'] {
    return this.#o.config().files;
  }

  owner(s: S): string {
    return addressGroup(this.#o.sessions.ip(s), this.#o.config().connections.ipv6Prefix);
  }

  // ---- UPLOAD (the core's FileSharing) -------------------------------------------

  issue(s: S, target: string): { url: string; seconds: number } | string {
    const c = this.#cfg();
    if (!c.enabled) return 'File sharing is off on this server.';
    const g = this.tokens.issue(s, target, c.tokenSeconds);
    const link = this.#o.sessions.link(s);
    const base = c.publicUrl ?? `${link.secure ? 'https' : 'http'}://${link.localHost ?? 'localhost:' + this.#o.config().port}`;
    return { url: `${base}/u/${g.token}/`, seconds: c.tokenSeconds };
  }

  // ---- index -------------------------------------------------------------------------

  #index(f: StoredFile): void {
    this.#files.set(f.id, f);
    this.#total += f.size;
    this.#byOwner.set(f.owner, (this.#byOwner.get(f.owner) ?? 0) + f.size);
  }

  /** Forgets a file now (synchronously) and removes it from the store and the disk. */
  remove(id: string, why: string): void {
    const f = this.#files.get(id);
    if (f === undefined) return;
    this.#files.delete(id);
    this.#total -= f.size;
    const left = (this.#byOwner.get(f.owner) ?? 0) - f.size;
    if (left > 0) this.#byOwner.set(f.owner, left);
    else this.#byOwner.delete(f.owner);
    this.#o.logger.info({ file: id, name: f.name, size: f.size, why }, `file ${why}`);
    this.#o.store.deleteFile(id).catch((err: unknown) => this.#o.logger.error({ err, file: id }, 'could not delete file metadata'));
    unlink(join(this.dir, id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.#o.logger.error({ err, file: id }, 'could not delete file');
    });
  }

  /** Deletes files past files.maxAgeDays. */
  sweep(): void {
    const days = this.#cfg().maxAgeDays;
    if (days === null) return;
    const cutoff = this.#now() - days * 86400_000;
    for (const f of [...this.#files.values()]) {
      if (f.createdAt >= cutoff) break; // oldest first
      this.remove(f.id, 'expired (maxAgeDays)');
    }
  }

  /**
   * Makes room for `need` more bytes in the budget by expiring the oldest files that are
   * older than minKeepSeconds; true when it fits.
   */
  #makeRoom(need: number): boolean {
    const c = this.#cfg();
    const fits = (): boolean => this.#total + this.#reserved + need <= c.budgetBytes;
    if (fits()) return true;
    const keepAfter = this.#now() - c.minKeepSeconds * 1000;
    // count first: expire nothing unless that makes it fit
    let freeable = 0;
    const victims: StoredFile[] = [];
    for (const f of this.#files.values()) {
      if (f.createdAt > keepAfter) break;
      victims.push(f);
      freeable += f.size;
      if (this.#total - freeable + this.#reserved + need <= c.budgetBytes) break;
    }
    if (this.#total - freeable + this.#reserved + need > c.budgetBytes) return false;
    for (const f of victims) this.remove(f.id, 'expired to make room (budgetBytes)');
    return fits();
  }

  #limiter(owner: string): TokenBucket {
    let b = this.#limiters.get(owner);
    const perMinute = this.#cfg().uploadsPerMinute;
    if (b === undefined || b.burst !== perMinute) {
      if (this.#limiters.size >= MAX_LIMITERS) {
        const first = this.#limiters.keys().next();
        if (first.done !== true) this.#limiters.delete(first.value);
      }
      b = new TokenBucket(perMinute / 60, perMinute, this.#now);
      this.#limiters.set(owner, b);
    }
    return b;
  }

  // ---- HTTP --------------------------------------------------------------------------

  /** Answers /u/ and /f/; false for any other path (the web server carries on). */
  handle(req: IncomingMessage, res: ServerResponse, ctl: RouteControl): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/f/')) {
      this.#download(req, res, path, ctl);
      return true;
    }
    if (path.startsWith('/u/')) {
      this.#upload(req, res, path, ctl);
      return true;
    }
    return false;
  }

  #download(req: IncomingMessage, res: ServerResponse, path: string, ctl: RouteControl): void {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return refuse(res, 405, 'Downloads are GET only.', { Allow: 'GET, HEAD' });
    if (hasBody(req)) return refuse(res, 413, 'A download takes no request body.');
    const m = DOWNLOAD_PATH.exec(path);
    const f = m === null ? undefined : this.#files.get(m[1]!);
    if (f === undefined) return refuse(res, 404, 'No such file: the link is wrong, or the file has expired.', { 'Cache-Control': 'no-store' });
    const inline = INLINE_TYPES.includes(f.type);
    const headers: Record<string, string | number> = {
      'Content-Type': inline ? f.type : 'application/octet-stream',
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', f.name),
      'Content-Length': f.size,
      'X-Content-Type-Options': 'nosniff',
      // nothing in a download may run, even if a browser rendered it
      'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      'Cross-Origin-Resource-Policy': 'same-origin',
      // the link is the key: keep it out of shared caches
      'Cache-Control': 'private, max-age=86400, immutable',
      ETag: `"${f.id}"`,
    };
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && inm.split(',').some((t) => t.trim() === `"${f.id}"`)) {
      delete headers['Content-Length'];
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, headers);
    if (method === 'HEAD') {
      res.end();
      return;
    }
    // a big file to a slow reader takes longer than the request deadline: idle time counts instead
    ctl.clearDeadline();
    const socket = req.socket;
    // (a 'timeout' listener on the response: without one Node destroys the socket itself)
    const idle = (): void => void socket.destroy();
    res.setTimeout(this.#cfg().idleTimeout * 1000, idle);
    res.once('close', () => socket.setTimeout(0));
    const rs = createReadStream(join(this.dir, f.id));
    rs.on('error', (err) => {
      this.#o.logger.error({ err, file: f.id }, 'file read failed');
      res.destroy();
    });
    res.once('close', () => rs.destroy());
    rs.pipe(res);
  }

  #upload(req: IncomingMessage, res: ServerResponse, path: string, ctl: RouteControl): void {
    const c = this.#cfg();
    const log = this.#o.logger;
    const method = req.method ?? 'GET';
    if (method !== 'PUT' && method !== 'POST') return refuse(res, 405, 'Upload with PUT (curl -T FILE URL) or POST.', { Allow: 'PUT, POST' });
    if (!c.enabled) return refuse(res, 403, 'File sharing is off on this server.');
    // another web page the user has open may not post as them, even with a stolen link
    if (!originAllowed(req.headers.origin, req.headers.host, this.#o.config().web.allowedOrigins)) {
      log.warn({ ip: req.socket.remoteAddress, origin: req.headers.origin }, 'upload refused: foreign Origin');
      return refuse(res, 403, 'This page may not upload to this tincan server: its Origin is not allowed.');
    }
    const m = UPLOAD_PATH.exec(path);
    const grant = m === null ? null : this.tokens.get(m[1]!);
    if (grant === null) return refuse(res, 403, 'This upload link is unknown or has expired. Ask for a new one with /upload in the room.');
    const s = grant.session;
    const sessions = this.#o.sessions;
    if (!sessions.alive(s)) {
      this.tokens.forget(s);
      return refuse(res, 410, 'The chat session that asked for this link has disconnected. Ask for a new one with /upload.');
    }
    if (grant.busy) return refuse(res, 409, 'An upload with this link is already in progress.');
    let rawName = m![2]!;
    try {
      rawName = decodeURIComponent(rawName);
    } catch {
      // a malformed escape: keep the raw text, cleaned below
    }
    const name = cleanFileName(rawName);
    const tell = (text: string): void => sessions.notify(s, `Upload of ${name} to ${grant.target}: ${text}`);
    const no = (status: number, text: string, extra: Record<string, string> = {}): void => {
      tell(text);
      refuse(res, status, text, extra);
    };
    const owner = this.owner(s);
    if (!this.#limiter(owner).take()) return no(429, `too many uploads: at most ${c.uploadsPerMinute} a minute. Try again shortly.`, { 'Retry-After': '60' });
    const declared = declaredLength(req);
    if (declared === 'bad') return no(400, 'the request has an invalid Content-Length.');
    if (declared === 0) return no(400, 'the file is empty.');
    if (declared !== null && declared > c.maxFileBytes) return no(413, `the file is ${humanSize(declared)}; files may be at most ${humanSize(c.maxFileBytes)}.`);
    const quotaLeft = c.quotaBytes - this.usedBy(owner) - (this.#reservedBy.get(owner) ?? 0);
    if (quotaLeft <= 0 || (declared !== null && declared > quotaLeft)) {
      return no(413, `your files already use ${humanSize(this.usedBy(owner))} of your ${humanSize(c.quotaBytes)}; wait for old ones to expire.`);
    }
    const bound = Math.min(declared ?? c.maxFileBytes, c.maxFileBytes, quotaLeft);
    if (!this.#makeRoom(bound)) {
      return no(507, `the server's file space is full (${humanSize(c.budgetBytes)}, all of it recent). Try again later.`, { 'Retry-After': '3600' });
    }

    // accepted: reserve the bound, then stream
    grant.busy = true;
    this.#reserved += bound;
    this.#reservedBy.set(owner, (this.#reservedBy.get(owner) ?? 0) + bound);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      grant.busy = false;
      this.#reserved -= bound;
      const r = (this.#reservedBy.get(owner) ?? 0) - bound;
      if (r > 0) this.#reservedBy.set(owner, r);
      else this.#reservedBy.delete(owner);
    };
    ctl.clearDeadline();
    const socket = req.socket;
    const tmp = join(this.dir, TMP_PREFIX + randomBytes(12).toString('hex'));
    this.#temps.add(tmp);
    const ws = (this.#o.createWriteStream ?? ((p: string) => createWriteStream(p, { flags: 'wx', mode: 0o600 })))(tmp);
    let received = 0;
    let head = Buffer.alloc(0);
    let failed: { status: number; text: string } | null = null;
    let finished = false;
    // The stream opens its file asynchronously: a removal before that open completes
    // would be undone by it, so the file goes once the stream has closed (which waits
    // for a pending open), and only then does the refusal go out.
    const cleanup = (then?: () => void): void => {
      ws.destroy();
      const remove = (): void => {
        this.#removeTemp(tmp);
        then?.();
      };
      if (ws.closed) remove();
      else ws.once('close', remove);
    };
    const fail = (status: number, text: string): void => {
      if (failed !== null || finished) return;
      failed = { status, text };
      release();
      req.unpipe(ws);
      log.info({ ip: socket.remoteAddress, name, received, status }, `upload failed: ${text}`);
      if (status === 0) {
        socket.destroy();
        cleanup();
        tell('the upload was cut off; nothing was kept.');
        return;
      }
      tell(text);
      cleanup(() => {
        if (!res.headersSent) refuse(res, status, text);
        else socket.destroy();
      });
    };
    const idle = (): void => {
      // a refusal still waiting on a stuck disk: the peer is not kept waiting past the idle bound
      if (failed !== null) socket.destroy();
      else fail(408, `no data for ${c.idleTimeout} s: the upload was cut off and nothing was kept.`);
    };
    const closed = (): void => {
      if (!finished) fail(0, 'cut off');
    };
    // (a 'timeout' listener on the response: without one Node destroys the socket itself)
    res.setTimeout(c.idleTimeout * 1000, idle);
    socket.once('close', closed);
    // a kept-alive connection may carry more requests: nothing of this one stays on it
    res.once('close', () => {
      socket.setTimeout(0);
      socket.off('close', closed);
    });
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
      if (received > bound) {
        const why =
          bound === c.maxFileBytes
            ? `the file is bigger than ${humanSize(c.maxFileBytes)}, the most a file may be; nothing was kept.`
            : bound === quotaLeft
              ? `the file does not fit in what is left of your ${humanSize(c.quotaBytes)} quota; nothing was kept.`
              : `the file is bigger than it said (${humanSize(bound)}); nothing was kept.`;
        fail(413, why);
      }
    });
    // the peer went away before the end (a cut socket): nothing is kept
    req.once('aborted', () => fail(0, 'cut off'));
    req.once('error', () => fail(0, 'cut off'));
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOSPC' || err.code === 'EDQUOT') fail(507, "the server's disk is full; nothing was kept. Tell whoever runs the server.");
      else {
        log.error({ err }, 'upload write failed');
        fail(500, `the server could not write the file (${err.code ?? err.message}); nothing was kept.`);
      }
    });
    ws.once('finish', () => {
      if (failed !== null) return;
      if (received === 0) return fail(400, 'the file is empty.');
      void this.#complete(grant.token, s, grant.target, owner, name, received, head, tmp, res, release).catch((err: unknown) => {
        log.error({ err }, 'upload failed');
        release();
        cleanup();
        if (!res.headersSent) refuse(res, 500, 'the server could not store the file.');
      });
      finished = true;
    });
    req.once('end', () => {
      if (failed === null && declared !== null && received < declared) fail(0, 'cut off');
    });
    if (ctl.expectsContinue) res.writeContinue();
    req.pipe(ws);
  }

  async #complete(token: string, s: S, target: string, owner: string, name: string, size: number, head: Buffer, tmp: string, res: ServerResponse, release: () => void): Promise<void> {
    let id = randomBytes(12).toString('base64url');
    while (this.#files.has(id)) id = randomBytes(12).toString('base64url');
    if (id.length !== FILE_ID_LENGTH) throw new Error('file id length');
    await rename(tmp, join(this.dir, id));
    this.#temps.delete(tmp);
    const f: StoredFile = { id, name, type: sniffType(head), size, owner, nick: this.#o.sessions.nick(s), target, createdAt: this.#now() };
    try {
      await this.#o.store.addFile(f);
    } catch (err) {
      rmSync(join(this.dir, id), { force: true });
      throw err;
    }
    // from here on synchronous: the reservation becomes the file
    release();
    this.#index(f);
    this.tokens.spend(token);
    const host = res.req.headers.host;
    const secure = 'encrypted' in res.req.socket && res.req.socket.encrypted === true;
    const base = this.#cfg().publicUrl ?? (host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${secure ? 'https' : 'http'}://${host}` : this.#o.sessions.link(s).localHost ?? 'localhost');
    const url = `${base.startsWith('http') ? base : 'http://' + base}/f/${id}/${encodeURIComponent(name)}`;
    const why = this.#o.sessions.share(s, target, shareText(name, size, url));
    if (why !== null) {
      // nobody was told about it: not kept
      this.remove(id, 'unshared');
      refuse(res, 410, `The file was not shared (${why}); nothing was kept.`);
      return;
    }
    this.#o.logger.info({ file: id, name, size, target, owner }, 'file shared');
    const body = url + '\n';
    res.writeHead(201, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Location: url, 'Cache-Control': 'no-store' });
    res.end(body);
  }
}

