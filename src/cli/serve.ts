/**
 * `tincan serve`: load the config, start the IRC server and the TCP listener,
 * handle signals (SIGTERM/SIGINT shut down, SIGHUP reloads the config file).
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { Connection } from '../transports/connection.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { loadConfig, type ConfigFlags } from '../config/load.js';
import { createLogger, type LoggerOptions } from '../log.js';
import { startTcpListener, type TcpListener } from '../transports/tcp.js';
import { handleHttp } from '../transports/http.js';
import { createWebServer, webHttpHandler, type HttpRoutes } from '../transports/web-server.js';
import { joinCard, lanAddresses } from '../discovery/join-card.js';
import { advertise, type Advertisement } from '../discovery/advertise.js';
import { VERSION } from '../core/version.js';
import { closeText, STARTUP_ERRORS, type StartupCode } from '../errors.js';
import { networkInterfaces } from 'node:os';
import { access } from 'node:fs/promises';
import { helperNice, lowerHelperThreads } from '../util/helper-threads.js';
import { hostPort } from '../cluster/address.js';
import type { NodesView } from '../cluster/nodes-route.js';
import type { NodeRegistry } from '../cluster/registry.js';
import { randomBytes } from 'node:crypto';
import { plainDialect } from '../gateway.js';
import { TlsCredentialStore, plainHex } from '../transports/tls.js';
import type { AdminState } from '../admin/state.js';
import type { IrcServer } from '../core/server.js';
import type { AdminSocket } from '../admin/socket.js';
import type { AdminConsole } from '../admin/console.js';

/** Raised for anything that should end the CLI with a message and an exit code. */
export class CliError extends Error {
  /** stable code (docs/errors.md); null for --help */
  readonly code: StartupCode | null;
  constructor(
    message: string,
    readonly exitCode: number = 1,
    code?: StartupCode,
  ) {
    super(message);
    this.name = 'CliError';
    this.code = code ?? (exitCode === 2 ? 'TINCAN_ERR_USAGE' : null);
  }
}

/** The stable code a startup error carries (ConfigError, DataDirError), if any. */
function codeOf(e: unknown): StartupCode | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(STARTUP_ERRORS, code) ? (code as StartupCode) : undefined;
}

/** What serve needs from the core (src/core/server.ts). */
export interface ServerLike {
  accept(conn: Connection): unknown;
  reload(config: Config): void;
  shutdown(reason: string): Promise<void>;
  stats(): { clients: number; channels: number };
  /** IRCv3 STS policy offered in CAP LS (IrcServer.sts) */
  sts?: { port: number; duration: number } | null;
  /** bans, mutes, the one-time admin code (IrcServer.admin); absent: no admin console or socket */
  admin?: AdminState;
}
export type ServerFactory = (config: Config, logger: Logger, reloadConfig?: () => Config) => ServerLike | Promise<ServerLike>;

export interface ServeOptions {
  /** build the server (default: `new IrcServer(config, logger)` from ../core/server.js) */
  createServer?: ServerFactory;
  /** install SIGTERM/SIGINT/SIGHUP handlers that exit the process (default true) */
  signals?: boolean;
  /** logger (default: createLogger(config.logLevel, { env })) */
  logger?: Logger;
  /** options for the default logger */
  loggerOptions?: LoggerOptions;
  /**
   * Print the join card and advertise on mDNS (unless --quiet / --no-mdns). Default
   * false so in-process callers (tests) stay silent; the `tincan serve` command sets it.
   */
  announce?: boolean;
  /** where the join card goes (default: process.stdout) */
  print?: (text: string) => void;
}

export interface ServeHandle {
  port: number;
  host: string;
  /** shut the server down ('Server shutting down') and stop listening; idempotent */
  close(): Promise<void>;
  /** re-read the config file and flags and apply them (what SIGHUP does); false on error */
  reload(): boolean;
  config(): Config;
  server: ServerLike;
  listener: TcpListener;
  logger: Logger;
  /** the mDNS advertisement, when announcing */
  advertisement: Advertisement | null;
  /** the TLS certificate in use (null with tls.enabled false) */
  tls: TlsCredentialStore | null;
  /** the last reload's TLS certificate step (settles once the new certificate is in use or refused) */
  tlsReloaded(): Promise<boolean>;
  /** the admin socket's path (`tincan admin`), null when there is none */
  adminSocket: string | null;
}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  data: { type: 'string' },
  postgres: { type: 'string' },
  redis: { type: 'string' },
  name: { type: 'string' },
  password: { type: 'string' },
  config: { type: 'string', short: 'c' },
  public: { type: 'boolean' },
  'log-level': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'no-mdns': { type: 'boolean' },
  teach: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function serveUsage(): string {
  const d = DEFAULT_CONFIG;
  return [
    'Usage: tincan serve [options]',
    '',
    'Starts the chat server. IRC clients, netcat and telnet connect to the port.',
    '',
    'Options:',
    `  --host <addr>         address to listen on (default: ${d.host}, all interfaces, IPv4 and IPv6)`,
    `  -p, --port <n>        TCP port (default: ${d.port})`,
    `  --data <dir>          data directory (default: ${d.dataDir})`,
    '  --postgres <url>      keep history and rooms in PostgreSQL (postgres://user@host/db; the',
    '                        password is better in PGPASSWORD or the config file) (default: SQLite in the data directory)',
    '  --redis <url>         join the nodes on this Redis as one server (redis://host:port; with --postgres)',
    '                        (default: one node)',
    `  --name <server>       server name shown to clients (default: ${d.serverName})`,
    '  --password <pw>       require this server password (PASS) (default: none)',
    '  -c, --config <file>   JSON or YAML config file; flags override it (default: none)',
    '  --public              accept connections from outside the local network (default: off)',
    `  --log-level <level>   fatal, error, warn, info, debug, trace or silent (default: ${d.logLevel})`,
    '  -q, --quiet           do not print the join card on start (logs stay) (default: print it)',
    '  --no-mdns             do not advertise on the local network with mDNS/DNS-SD (default: advertise)',
    '  --teach               log the first bytes of every connection and how they were recognised',
    '                        (IRC, plain text, HTTP or TLS): for learning what crosses the wire',
    '  -h, --help            show this help',
    '',
    'TLS is spoken on the same port: a self-signed certificate is made in the data directory on',
    'first start (its fingerprint is on the join card), or set tls.cert and tls.key in the config.',
    '',
    'Signals: SIGTERM/SIGINT shut down (a second one forces exit); SIGHUP reloads the config file',
    'and the TLS certificate (established connections stay).',
    'Logs are readable on a terminal and JSON otherwise; set TINCAN_LOG=json or TINCAN_LOG=pretty to choose.',
  ].join('\n');
}

export interface ServeArgs {
  help: boolean;
  file?: string;
  flags: ConfigFlags;
  /** --quiet: no join card */
  quiet?: true;
  /** --no-mdns: no mDNS advertisement */
  noMdns?: true;
  /** --teach: log first bytes and detection */
  teach?: true;
}

/** Parses serve's flags (strict). Throws CliError(exit code 2) on bad usage. */
export function parseServeArgs(argv: string[]): ServeArgs {
  let values: { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new CliError(`tincan serve: ${(e as Error).message}\nRun 'tincan serve --help' for the list of options.`, 2);
  }
  const flags: ConfigFlags = {};
  if (values.host !== undefined) flags.host = values.host;
  if (values.port !== undefined) {
    const p = values.port.trim();
    if (!/^\d+$/.test(p) || Number(p) > 65535) {
      throw new CliError(`tincan serve: --port expects a port number from 0 to 65535, got '${values.port}'`, 2);
    }
    flags.port = Number(p);
  }
  if (values.data !== undefined) flags.dataDir = values.data;
  if (values.postgres !== undefined) {
    flags.storage = 'postgres';
    flags.postgres = { url: values.postgres };
  }
  if (values.redis !== undefined) flags.cluster = { redis: values.redis };
  if (values.name !== undefined) flags.serverName = values.name;
  if (values.password !== undefined) flags.password = values.password;
  if (values.public === true) flags.public = true;
  if (values['log-level'] !== undefined) flags.logLevel = values['log-level'];
  const out: ServeArgs = { help: values.help === true, flags };
  if (values.config !== undefined) out.file = values.config;
  if (values.quiet === true) out.quiet = true;
  if (values['no-mdns'] === true) out.noMdns = true;
  if (values.teach === true) out.teach = true;
  return out;
}

async function defaultServerFactory(config: Config, logger: Logger, reloadConfig?: () => Config): Promise<ServerLike> {
  const server = await buildServer(config, logger, reloadConfig);
  const c = config.cluster;
  if (c.redis === null) return server;
  // several nodes, one server (docs/scale-out.md): joined before the port opens
  const { CoreLink } = await import('../cluster/core-link.js');
  let link: Awaited<ReturnType<typeof CoreLink.start>>;
  try {
    link = await CoreLink.start(server, logger, {
      redis: c.redis,
      cluster: c.name,
      leaseMs: c.leaseMs,
      maxPending: c.maxPending,
      ...(c.nodeId === null ? {} : { nodeId: c.nodeId }),
    });
  } catch (e) {
    await server.shutdown('Server shutting down').catch(() => {});
    throw new CliError(`cannot join the cluster on ${redactUrl(c.redis)}: ${(e as Error).message}`, 1, 'TINCAN_ERR_CLUSTER');
  }
  const shutdown = server.shutdown.bind(server);
  server.shutdown = async (reason?: string) => {
    link.beginShutdown(`Quit: ${reason ?? 'Server shutting down'}`);
    try {
      await shutdown(reason);
    } finally {
      await link.stop();
    }
  };
  return server;
}

/** A URL with its password shown as *** (logs, messages). */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

async function buildServer(config: Config, logger: Logger, reloadConfig?: () => Config): Promise<import('../core/server.js').IrcServer> {
  const { IrcServer } = await import('../core/server.js');
  const reload = reloadConfig === undefined ? {} : { reloadConfig };
  const accountsOnly = !config.history.enabled && config.accounts.enabled && config.storage === 'sqlite';
  if (!config.history.enabled && !accountsOnly) return new IrcServer(config, logger, reload);
  // history: the store is opened here and closed by the server's shutdown (after the final flush)
  const { openStorage } = await import('../storage/open.js');
  const { History } = await import('../core/history.js');
  let storage;
  try {
    const pg = config.postgres;
    const postgres =
      pg.url === null
        ? undefined
        : {
            url: pg.url,
            poolMax: pg.poolMax,
            statementTimeoutMs: pg.statementTimeoutMs,
            connectTimeoutMs: pg.connectTimeoutMs,
            onIdleError: (err: Error) => logger.warn({ err }, 'a pooled PostgreSQL connection failed; it is replaced on next use'),
          };
    storage = await openStorage(config.storage, config.dataDir, postgres === undefined ? {} : { postgres });
  } catch (e) {
    // data directory problems (not writable, locked by another server) say it all already
    if (e instanceof Error && e.name === 'DataDirError') throw new CliError(`tincan serve: ${e.message}`, 1, codeOf(e));
    if (config.storage === 'postgres') throw new CliError(`cannot open the history database: ${(e as Error).message}`, 1, 'TINCAN_ERR_HISTORY_OPEN');
    throw new CliError(`cannot open the history database in ${config.dataDir}: ${(e as Error).message}`, 1, 'TINCAN_ERR_HISTORY_OPEN');
  }
  if (accountsOnly) {
    // no history, but accounts are still kept on disk (the same database)
    const st = storage;
    const server = new IrcServer(config, logger, { ...reload, accounts: st.accounts, onShutdown: () => st.close() });
    const n = await server.accounts.load();
    logger.info({ storage: st.kind, accounts: n }, `accounts: ${n} loaded (history off)`);
    return server;
  }
  const history = new History({ storage, logger });
  const server = new IrcServer(config, logger, reloadConfig === undefined ? { history, accounts: storage.accounts } : { reloadConfig, history, accounts: storage.accounts });
  const accounts = await server.accounts.load();
  const restored = await history.restoreChannels(server);
  const waiting = await server.mailbox.load();
  const sanctions = await server.admin.restore();
  logger.info({ storage: storage.kind, channels: restored, accounts, waiting, sanctions }, `history: ${storage.kind} store opened, ${restored} channel(s) restored, ${accounts} account(s), ${waiting} offline message(s)`);
  return server;
}

/** `advertise` from the config, else this machine's LAN addresses (as on the join card) with the port. */
export function advertisedAddresses(config: Config, port: number, ifaces = networkInterfaces()): string[] {
  if (config.advertise.length > 0) return [...config.advertise];
  return lanAddresses(ifaces, config.host).addresses.map((a) => hostPort(a, port));
}

/** The Origins of nodes' pages (http and https: TLS is on the same port). */
function nodeOrigins(addresses: Iterable<string>): string[] {
  return [...addresses].flatMap((a) => [`http://${a}`, `https://${a}`]);
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts the server in-process. Throws CliError for usage/config/listen problems
 * (exitCode 2 for usage, 1 otherwise; 0 with the usage text for --help).
 */
export async function runServe(argv: string[], env: NodeJS.ProcessEnv = process.env, opts: ServeOptions = {}): Promise<ServeHandle> {
  const args = parseServeArgs(argv);
  if (args.help) throw new CliError(serveUsage(), 0);

  const load = (): Config => loadConfig(args.file === undefined ? { flags: args.flags } : { file: args.file, flags: args.flags });
  let config: Config;
  try {
    config = load();
  } catch (e) {
    throw new CliError((e as Error).message, 1, codeOf(e));
  }

  const logger = opts.logger ?? createLogger(config.logLevel, { ...opts.loggerOptions, env });
  // REHASH from an IRC operator re-reads the same file the CLI would on SIGHUP
  const rehashLoad = (): Config => {
    const next = load();
    config = next;
    return next;
  };
  const server = await (opts.createServer ?? defaultServerFactory)(config, logger, rehashLoad);

  // TLS: the configured certificate, or the self-signed one in the data directory (made now if missing)
  let tlsStore: TlsCredentialStore | null = null;
  if (config.tls.enabled) {
    try {
      tlsStore = await TlsCredentialStore.open(config, { logger });
    } catch (e) {
      await server.shutdown('Server shutting down').catch(() => {});
      throw new CliError(`tincan serve: TLS: ${(e as Error).message} (set tls.cert and tls.key to readable PEM files, or remove both for a self-signed certificate)`, 1);
    }
  }
  let tlsReload: Promise<boolean> = Promise.resolve(true);

  // shared files (/u/ and /f/ on the HTTP side), with the default server only
  let files: { close(): void; handle: HttpRoutes['handle'] } | null = null;
  if (config.files.enabled && opts.createServer === undefined) {
    const { startFileSharing } = await import('../files/index.js');
    const { IrcServer } = await import('../core/server.js');
    if (server instanceof IrcServer) files = await startFileSharing(server, () => config, logger);
  }
  // the browser client and IRC-over-WebSocket, on the same port (first bytes decide)
  // where clients may dial this server (/nodes.json: the clients fail over between them)
  const { nodesRoute, chainRoutes } = await import('../cluster/nodes-route.js');
  let advertised: string[] = [];
  let registry: NodeRegistry | null = null;
  const nodesView = (): NodesView =>
    registry !== null
      ? { cluster: registry.cluster, nodes: registry.nodes }
      : // one node: nothing to fail over to; its LAN addresses are nobody's business unless configured
        { cluster: null, nodes: config.advertise.length === 0 ? [] : [{ id: config.serverName, addresses: [...config.advertise] }] };
  const web = createWebServer({
    config: () => config,
    logger,
    onConnection: (c) => server.accept(c),
    routes: chainRoutes(nodesRoute(nodesView), files),
    // a page served by one node may fail over to another node's /irc
    extraOrigins: () => nodeOrigins(registry !== null ? registry.known : advertised),
  });
  let listener: TcpListener;
  try {
    listener = await startTcpListener({
      host: config.host,
      port: config.port,
      config: () => config,
      logger,
      onConnection: (c) => {
        server.accept(c);
      },
      detect: { http: webHttpHandler(web, handleHttp), plain: plainDialect(() => config) },
      ...(args.teach === true ? { teach: true } : {}),
      ...(tlsStore === null ? {} : { tls: { context: () => tlsStore.context(), port: config.tls.port } }),
    });
  } catch (e) {
    await server.shutdown(closeText('TINCAN_ERR_SHUTDOWN')).catch(() => {});
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      if (config.tls.port !== null) throw new CliError(`port ${config.port} or the TLS port ${config.tls.port} is in use: is another tincan running? use --port / tls.port to pick others`, 1, 'TINCAN_ERR_PORT_IN_USE');
      throw new CliError(`port ${config.port} is in use: is another tincan running? use --port to pick another port`, 1, 'TINCAN_ERR_PORT_IN_USE');
    }
    if (err.code === 'EACCES') {
      throw new CliError(`permission denied listening on port ${config.port}: ports below 1024 need privileges; use --port`, 1, 'TINCAN_ERR_PORT_DENIED');
    }
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
      throw new CliError(`cannot listen on ${config.host}: no such address on this machine; check --host`, 1, 'TINCAN_ERR_NO_SUCH_ADDRESS');
    }
    throw new CliError(`cannot listen on ${formatHostPort(config.host, config.port)}: ${err.message}`, 1, 'TINCAN_ERR_LISTEN');
  }

  // bench only (bench/run.sh): event-loop delay per load step, see src/util/loop-probe.ts
  const probeDir = env['TINCAN_BENCH_PROBE'];
  if (probeDir !== undefined && probeDir !== '') {
    const [{ startLoopProbe }, { totalReadBytes, takeTurnStats, connectionCounts }] = await Promise.all([
      import('../util/loop-probe.js'),
      import('../transports/tcp-connection.js'),
    ]);
    startLoopProbe(probeDir, totalReadBytes, Date.now, takeTurnStats, connectionCounts);
  }

  const addr = listener.address();
  advertised = advertisedAddresses(config, addr.port);
  if (config.cluster.redis !== null) {
    // this node's addresses in Redis for the others' /nodes.json (src/cluster/registry.ts)
    const { NodeRegistry } = await import('../cluster/registry.js');
    const linked = (server as { cluster?: { node?: { id?: unknown } } | null }).cluster?.node?.id;
    const nodeId = typeof linked === 'string' ? linked : (config.cluster.nodeId ?? randomBytes(6).toString('hex'));
    try {
      registry = await NodeRegistry.start({
        redis: config.cluster.redis,
        cluster: config.cluster.name,
        nodeId,
        addresses: advertised,
        ttlMs: config.cluster.leaseMs,
        onError: (err) => logger.debug({ err }, 'node registry: Redis connection error'),
      });
    } catch (e) {
      logger.warn(`this node is not listed in /nodes.json (clients will not fail over to it): ${(e as Error).message}`);
    }
  }
  logger.info(
    { host: addr.host, port: addr.port, public: config.public, serverName: config.serverName },
    `tincan listening on ${formatHostPort(addr.host, addr.port)}${config.public ? '' : ' (local network only)'}`,
  );

  // STS only with a certificate clients can verify: a pinned self-signed one would lock them out
  const applySts = (): void => {
    if (!('sts' in server)) return;
    const c = tlsStore?.credentials;
    const on = c !== undefined && c.verifiable && config.tls.stsDuration > 0;
    server.sts = on ? { port: listener.tlsAddress()?.port ?? addr.port, duration: config.tls.stsDuration } : null;
  };
  applySts();
  if (tlsStore !== null) {
    const c = tlsStore.credentials;
    const tlsAddr = listener.tlsAddress();
    logger.info(
      { fingerprint: c.fingerprint, cert: c.source, generated: c.generated, tlsPort: tlsAddr?.port ?? null },
      `TLS on port ${addr.port}${tlsAddr === null ? '' : ` and ${tlsAddr.port} (TLS only)`}: certificate SHA-256 ${c.fingerprint}`,
    );
  }

  // the host is in charge: a one-time admin code for the join card, `tincan admin` over
  // <dataDir>/admin.sock, and this terminal as a console when it is one
  const admin = server.admin;
  const adminCode = admin === undefined ? null : admin.claim.issue(config.moderation.claimCodeMinutes);
  let adminSocket: AdminSocket | null = null;
  let adminConsole: AdminConsole | null = null;
  const consoleWanted = admin !== undefined && opts.announce === true && config.moderation.console && process.stdin.isTTY === true;

  let advertisement: Advertisement | null = null;
  /** re-advertises with the current fingerprint (set when advertising) */
  let reannounce: (() => Promise<void>) | null = null;
  if (opts.announce === true) {
    if (args.quiet !== true) {
      const { addresses, note } = lanAddresses(networkInterfaces(), config.host);
      const c = tlsStore?.credentials;
      const tlsPort = listener.tlsAddress()?.port;
      const tls = c === undefined ? {} : { tls: { fingerprint: c.fingerprint, selfSigned: !c.verifiable, ...(tlsPort === undefined ? {} : { port: tlsPort }) } };
      const card = joinCard({
        addresses,
        port: addr.port,
        channel: config.defaultChannel,
        ...(note === undefined ? {} : { note }),
        ...tls,
        ...(adminCode === null ? {} : { admin: { code: adminCode, minutes: config.moderation.claimCodeMinutes, console: consoleWanted } }),
        ...(registry === null ? {} : { cluster: { name: registry.cluster, nodes: registry.nodes, self: registry.id } }),
      });
      (opts.print ?? ((t: string) => void process.stdout.write(t)))(card);
    }
    if (args.noMdns !== true) {
      const host = config.host;
      if (host === 'localhost' || host === '::1' || host.startsWith('127.')) {
        logger.info('not advertising on mDNS: listening on loopback only, nobody else could connect');
      } else {
        const all = host === '::' || host === '0.0.0.0' || host === '';
        const announce = (): Advertisement =>
          advertise({
            port: addr.port,
            serverName: config.serverName,
            version: VERSION,
            channel: config.defaultChannel,
            logger,
            ...(tlsStore === null ? {} : { tlsFingerprint: plainHex(tlsStore.credentials.fingerprint) }),
            ...(all ? {} : { interface: host }),
            ...(registry === null ? {} : { cluster: { name: registry.cluster, node: registry.id } }),
          });
        advertisement = announce();
        // a new certificate (SIGHUP): withdraw the old fingerprint from mDNS, announce the new one
        reannounce = async () => {
          const old = advertisement;
          if (old === null || closing !== null) return;
          await old.stop();
          if (closing === null && advertisement === old) advertisement = announce();
        };
      }
    }
  }

  const reload = (): boolean => {
    let next: Config;
    try {
      next = load();
    } catch (e) {
      logger.error({ code: codeOf(e) }, `config reload failed, keeping the current configuration: ${(e as Error).message}`);
      return false;
    }
    if (next.host !== config.host || next.port !== config.port) {
      logger.warn('host/port changes take effect after a restart');
    }
    if (next.tls.port !== config.tls.port || (next.tls.enabled && tlsStore === null)) logger.warn('tls.port changes, and turning TLS on, take effect after a restart');
    config = next;
    if (opts.logger === undefined) logger.level = next.logLevel;
    // new handshakes get the reloaded certificate; established connections keep theirs
    if (tlsStore !== null) {
      const store = tlsStore;
      const before = store.credentials.fingerprint;
      tlsReload = store.reload(next, { logger }).then(async (ok) => {
        applySts();
        if (store.credentials.fingerprint !== before) await reannounce?.();
        return ok;
      });
    }
    try {
      server.reload(next);
    } catch (e) {
      logger.error({ err: e }, 'server reload failed');
      return false;
    }
    logger.info(args.file === undefined ? 'configuration reloaded' : `configuration reloaded from ${args.file}`);
    return true;
  };

  let closing: Promise<void> | null = null;
  const removeSignals: Array<() => void> = [];
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const off of removeSignals) off();
      adminConsole?.close();
      await adminSocket?.close();
      // withdraw from mDNS and the node list first, so clients stop coming to a node that is leaving
      if (advertisement !== null) await advertisement.stop();
      await registry?.stop();
      try {
        await server.shutdown(closeText('TINCAN_ERR_SHUTDOWN'));
      } catch (e) {
        logger.error({ err: e }, 'error during shutdown');
      }
      web.close();
      files?.close();
      await listener.close();
      logger.info('tincan stopped');
    })();
    return closing;
  };

  if (opts.signals !== false) {
    let signalled = 0;
    const onStop = (sig: NodeJS.Signals): void => {
      signalled++;
      if (signalled > 1) {
        logger.warn(`${sig} again: forcing exit`);
        process.exit(1);
      }
      logger.info(`${sig} received: shutting down`);
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    const onHup = (): void => {
      logger.info('SIGHUP received: reloading configuration');
      reload();
    };
    const on = (sig: NodeJS.Signals, fn: (s: NodeJS.Signals) => void): void => {
      process.on(sig, fn);
      removeSignals.push(() => process.off(sig, fn));
    };
    on('SIGTERM', onStop);
    on('SIGINT', onStop);
    if (process.platform !== 'win32') on('SIGHUP', onHup);
  }

  // after the signal handlers: a SIGHUP right after "listening" must not find none
  if (admin !== undefined && config.moderation.socket) {
    // makeDir, not ensureDataDir: that opens and closes tincan.lock, and closing any
    // descriptor of a file drops this process's POSIX locks on it (the data-dir lock)
    const { startAdminSocket } = await import('../admin/socket.js');
    const { makeDir } = await import('../storage/data-dir.js');
    try {
      adminSocket = await startAdminSocket(server as IrcServer, makeDir(config.dataDir), logger);
    } catch (e) {
      logger.warn(`no admin socket (tincan admin will not reach this server): ${(e as Error).message}`);
    }
  }
  if (consoleWanted) {
    const { startAdminConsole } = await import('../admin/console.js');
    adminConsole = startAdminConsole(server as IrcServer, opts.print ?? ((t: string) => void process.stdout.write(t)));
  }

  return {
    port: addr.port,
    host: addr.host,
    close,
    reload,
    config: () => config,
    server,
    listener,
    logger,
    get advertisement() {
      return advertisement;
    },
    tls: tlsStore,
    tlsReloaded: () => tlsReload,
    adminSocket: adminSocket?.path ?? null,
  };
}

/** serve's value flags that npm keeps for itself in `npm start --port 5000` (it sets npm_config_port). */
const NPM_VALUE_FLAGS = ['port', 'host', 'data', 'config', 'log-level'] as const;

/**
 * `npm start --port 5000` (no `--`) hands serve `5000` alone and sets npm_config_port=true
 * (`--port=5000` sets npm_config_port=5000). Under `npm start`/`npm run dev` of tincan, put
 * back the flags serve knows. --name and --password are left alone: npm has configs of those
 * names (an .npmrc password must never become the chat password). Returns the argv to use
 * and a note for the user; throws CliError(2) saying what to type when the values can't be
 * matched to their flags (npm does not say in which order they came).
 */
export function npmEatenFlags(argv: string[], env: NodeJS.ProcessEnv): { argv: string[]; note: string | null } {
  if (env['npm_lifecycle_event'] === undefined || env['npm_package_name'] !== 'tincan') return { argv, note: null };
  const has = (flag: string): boolean => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  const added: string[] = [];
  const missing: string[] = [];
  for (const flag of NPM_VALUE_FLAGS) {
    const v = env[`npm_config_${flag.replace(/-/g, '_')}`];
    if (v === undefined || has(flag)) continue;
    if (v === 'true') missing.push(flag);
    else added.push(`--${flag}`, v);
  }
  if (env['npm_config_public'] === 'true' && !has('public')) added.push('--public');
  // npm stores --no-mdns as mdns = false (an empty string in the environment)
  const mdns = env['npm_config_mdns'];
  if ((mdns === '' || mdns === 'false') && !has('no-mdns')) added.push('--no-mdns');
  if (added.length === 0 && missing.length === 0) return { argv, note: null };

  let rest = argv;
  if (missing.length > 0) {
    const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
    const positionals = tokens.filter((t) => t.kind === 'positional');
    const only = positionals[0];
    if (missing.length !== 1 || positionals.length !== 1 || only === undefined) {
      const values = positionals.map((t) => t.value).join(' ');
      throw new CliError(
        `npm kept ${missing.map((f) => `--${f}`).join(', ')} for itself` +
          (values ? ` and passed on only ${values}` : '') +
          `. Put -- before tincan's options, like this:
  npm start -- ${missing.map((f) => `--${f} <${f === 'port' ? 'number' : 'value'}>`).join(' ')}`,
        2,
      );
    }
    added.push(`--${missing[0]}`, only.value);
    rest = argv.filter((_, i) => i !== only.index);
  }
  const next = [...rest, ...added];
  return { argv: next, note: `npm kept these options for itself; using them anyway: ${added.join(' ')} (next time type: npm start -- ${added.join(' ')})` };
}

/** Entry for `tincan serve ...` from main.ts: prints errors and sets the exit code. */
export async function serveMain(argv: string[]): Promise<void> {
  try {
    const npm = npmEatenFlags(argv, process.env);
    if (npm.note !== null) process.stderr.write(npm.note + '\n');
    const handle = await runServe(npm.argv, process.env, { announce: true });
    // the thread pool starts with its first job: make sure it exists, then every helper
    // thread runs below the event loop (src/util/helper-threads.ts)
    await access('.').catch(() => undefined);
    const nice = helperNice();
    const lowered = lowerHelperThreads(nice);
    handle.logger.debug({ threads: lowered, nice }, 'helper threads run below the event loop');
  } catch (e) {
    if (e instanceof CliError) {
      if (e.exitCode === 0) process.stdout.write(e.message + '\n');
      else process.stderr.write(`${e.message}\n`);
      process.exit(e.exitCode);
    }
    throw e;
  }
}
