/**
 * Defaults and the zod schema for Config. `validateConfig(raw, base)` deep-merges `raw`
 * over `base` (objects merge, arrays and scalars replace) and checks every key,
 * collecting every problem into one ConfigError.
 *
 * Over 500 lines on purpose: it is the one declaration of every key (type, bounds, the
 * words its error message uses) and every default, read top to bottom as the reference;
 * splitting it per section would scatter what `examples/tincan.yaml` documents in one place.
 */
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Config } from './types.js';
import type { StartupCode } from '../errors.js';
import { parseCidr } from '../util/netmask.js';
import { passwordProblem } from './oper-password.js';
import { MAX_ADDRESSES, MAX_ADDRESS_LENGTH, validAddress } from '../cluster/address.js';

export type ConfigErrorCode = Extract<StartupCode, `TINCAN_ERR_CONFIG_${string}`>;

export class ConfigError extends Error {
  readonly problems: string[];
  /** stable code (docs/errors.md) */
  readonly code: ConfigErrorCode;
  constructor(problems: string[], context?: string, code: ConfigErrorCode = 'TINCAN_ERR_CONFIG_INVALID') {
    const head = context === undefined ? 'invalid configuration' : `invalid configuration in ${context}`;
    super(`${head}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
    this.code = code;
  }
}

// ---- defaults ----------------------------------------------------------------------

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** "My-Laptop.fritz.box" -> "my-laptop.local"; unusable -> "tincan.local". */
export function defaultServerName(host: string = safeHostname()): string {
  const first = (host.split('.')[0] ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return LABEL.test(first) && first !== 'localhost' ? `${first}.local` : 'tincan.local';
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export const DEFAULT_CONFIG: Config = deepFreeze<Config>({
  host: '::',
  port: 4444,
  dataDir: './data',
  serverName: defaultServerName(),
  networkName: 'tincan',
  description: 'a tincan chat server',
  password: null,
  motd: [
    'Welcome to tincan!',
    'Everyone here is on your local network. Be kind.',
    'Join a channel with /join #name, or say hello in #lobby.',
  ],
  admin: { name: 'tincan', location: 'the local network', email: '' },
  operators: [],
  casemapping: 'rfc1459',
  limits: {
    nickLength: 30,
    channelLength: 50,
    topicLength: 390,
    awayLength: 390,
    kickLength: 390,
    userLength: 18,
    realnameLength: 100,
    channelsPerUser: 50,
    targetsPerCommand: 4,
    banListSize: 100,
    modesPerCommand: 6,
    whowasSize: 1000,
    monitorTargets: 100,
    sendQBytes: 1024 * 1024,
    maxLineBytes: 8191 + 512,
    preRegistrationLines: 30,
    // channels (docs/limits.md): a cap in total and on what one user / one address creates
    maxChannels: 1000,
    channelsCreatedPerUser: 10,
    channelsCreatedPerIp: 20,
    emptyChannelExpiryDays: 7,
    foundedChannelExpiryDays: 90,
    // creating rooms, per connection: a burst, then a steady rate (docs/limits.md)
    channelCreateBurst: 5,
    channelCreatesPerMinute: 10,
  },
  // generous for people (a burst of 20 lines, then 5/s), stops paste floods
  flood: { enabled: true, linesPerSecond: 5, burst: 20, maxQueued: 100, maxQueuedBytes: 64 * 1024 },
  connections: { enabled: true, perIp: 20, ratePerMinute: 60, maxClients: 10000, ipv6Prefix: 64, silentPerIp: 5, trustedProxies: [] },
  timeouts: { registration: 60, pingInterval: 120, pingTimeout: 60, silentIdle: 600 },
  web: { allowedOrigins: [], headTimeout: 10, requestTimeout: 30, keepAliveTimeout: 5 },
  tls: {
    enabled: true,
    port: null,
    cert: null,
    key: null,
    handshakeTimeout: 10,
    handshakesPerIp: 10,
    require: false,
    requirePlain: false,
    stsDuration: 2592000,
  },
  public: false,
  allow: [],
  defaultChannel: '#lobby',
  storage: 'sqlite',
  postgres: { url: null, poolMax: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 5000 },
  advertise: [],
  cluster: { redis: null, name: 'tincan', nodeId: null, leaseMs: 10_000, maxPending: 10_000 },
  history: {
    enabled: true,
    replayLines: 20,
    maxQuery: 100,
    searchResults: 20,
    maxAgeDays: null,
    maxPerChannel: null,
    pruneIntervalSeconds: 600,
  },
  accounts: {
    enabled: true,
    registration: true,
    minPasswordLength: 8,
    scramIterations: 4096,
    nickGraceSeconds: 30,
    registrationsPerIpPerHour: 5,
    offlineMessagesPerAccount: 100,
    offlineMessagesPerSender: 20,
  },
  files: {
    enabled: true,
    maxFileBytes: 25 * 1024 * 1024,
    quotaBytes: 200 * 1024 * 1024,
    budgetBytes: 2 * 1024 * 1024 * 1024,
    minKeepSeconds: 3600,
    maxAgeDays: 30,
    uploadsPerMinute: 10,
    tokenSeconds: 600,
    idleTimeout: 30,
    publicUrl: null,
  },
  // the host is in charge (README "Running a room for a class or a team", docs/limits.md)
  moderation: {
    console: true,
    socket: true,
    claimCodeMinutes: 60,
    claimAttemptsPerMinute: 5,
    defaultBanHours: 24,
    maxSanctions: 10000,
  },
  logLevel: 'info',
});

// ---- schema ----------------------------------------------------------------------
//
// Declared once with zod; the Config type (types.ts) is inferred from it, so a key in the
// type is a key in the schema. One obj() (a z.strictObject) per section: a new section is
// `const tls = obj({...})`, one more entry in CONFIG_SCHEMA, its defaults in DEFAULT_CONFIG
// (the compiler insists) and `export type TlsConfig = Config['tls']` in types.ts. Every
// leaf carries the "expected ..." text the messages use (zod's own wording is never shown).

const expectations = z.registry<{ expected: string }>();
function expecting<T extends z.ZodType>(schema: T, expected: string): T {
  expectations.add(schema, { expected });
  return schema;
}

const int = (min: number, max: number) => expecting(z.int().min(min).max(max), `an integer from ${min} to ${max}`);
const num = (min: number, max: number) => expecting(z.number().min(min).max(max), `a number from ${min} to ${max}`);
const bool = expecting(z.boolean(), 'true or false');

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00\r\n]/;
function str(opts: { min?: number; max: number; expected?: string; test?: (s: string) => boolean }) {
  const min = opts.min ?? 0;
  const expected = opts.expected ?? (min > 0 ? `a non-empty string of at most ${opts.max} characters` : `a string of at most ${opts.max} characters`);
  const test = opts.test;
  const s = z.string().min(min).max(opts.max).refine((v) => !CONTROL.test(v) && (test === undefined || test(v)));
  return expecting(s, expected);
}
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return expecting(z.enum(values), `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
}
function arr<T extends z.ZodType>(of: T, max = 10000) {
  const each = expectations.get(of)?.expected ?? 'valid';
  return expecting(z.array(of).max(max), `a list of ${each.replace(/^an? /, '')} values`);
}
/** null or the value; messages about a wrong value name the inner expectation */
const nullable = <T extends z.ZodType>(of: T) => of.nullable();
/** a config section: unknown keys are errors (with a "did you mean") */
const obj = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape);

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SERVERNAME = /^(?=.{3,63}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** the parser's own complaint is added to the message as a detail */
const cidr = expecting(
  z.string().superRefine((v, ctx) => {
    try {
      parseCidr(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message, params: { detail: (e as Error).message } });
    }
  }),
  'a CIDR string like "192.168.1.0/24" or "fd00::/8"',
);

/** an Origin as browsers send it: scheme://host[:port], no path; or "*". Normalised. */
const ORIGIN = 'an origin like "https://chat.example.org" or "http://10.0.0.5:8080" (scheme, host, optional port; no path), or "*"';
const origin = expecting(
  z.string().transform((v, ctx) => {
    if (v === '*') return v;
    if (v.length <= 500) {
      try {
        const u = new URL(v);
        if (u.origin !== 'null' && u.username === '' && u.pathname === '/' && u.search === '' && u.hash === '') return u.origin;
      } catch {
        // falls through to the issue
      }
    }
    ctx.addIssue({ code: 'custom', message: ORIGIN });
    return z.NEVER;
  }),
  ORIGIN,
);

/** motd: an array of lines, a single (multi-line) string, or null */
const motd = expecting(
  z.union([
    z.null(),
    z.string().transform((v) => v.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n')),
    z.array(z.string().refine((l) => !CONTROL.test(l))).max(1000),
  ]),
  'an array of strings (lines), a string, or null',
);

const channelName = str({
  max: 200,
  expected: 'a channel name starting with "#" or "&" (no spaces, commas or control characters), or "" for none',
  // eslint-disable-next-line no-control-regex
  test: (s) => s === '' || /^[#&][^\s,\x00-\x1f]{1,199}$/.test(s),
});

const operator = obj({
  name: str({ max: 64, expected: 'an operator name (no spaces)', test: (s) => /^[^\s\x00-\x1f]{1,64}$/.test(s) }),
  /** plain text, or "scrypt$<salt-hex>$<hash-hex>" */
  password: str({ min: 1, max: 500 }),
  /** optional host masks the oper must match (nick!user@host globs); empty = any */
  hosts: arr(str({ min: 1, max: 500, expected: 'a host mask like "*!*@192.168.*"' }), 1000).default(() => []),
});

const limits = obj({
  nickLength: int(1, 255), // NICKLEN
  channelLength: int(2, 255), // CHANNELLEN
  topicLength: int(1, 4096), // TOPICLEN
  awayLength: int(1, 4096), // AWAYLEN
  kickLength: int(1, 4096), // KICKLEN
  userLength: int(1, 255), // USERLEN
  realnameLength: int(1, 4096),
  channelsPerUser: int(1, 100000), // CHANLIMIT
  targetsPerCommand: int(1, 1000), // TARGMAX for PRIVMSG/NOTICE etc.
  banListSize: int(1, 100000), // MAXLIST b
  modesPerCommand: int(1, 100), // MODES
  whowasSize: int(0, 1000000), // entries remembered for WHOWAS
  monitorTargets: int(0, 10000), // MONITOR list size per session (ISUPPORT MONITOR)
  sendQBytes: int(4096, 1024 * 1024 * 1024), // per-connection send queue cap
  maxLineBytes: int(512, 1024 * 1024), // reader limit incl. tags
  preRegistrationLines: int(1, 100000), // lines accepted before registration completes
  maxChannels: int(1, 10000000), // channels that may exist at once (kept empty ones count)
  channelsCreatedPerUser: int(1, 10000000), // existing channels one connection created
  channelsCreatedPerIp: int(1, 10000000), // existing channels created from one address
  emptyChannelExpiryDays: num(0.0001, 36500), // a kept empty channel (history on) is dropped after this
  foundedChannelExpiryDays: num(0.0001, 36500), // the same for a room a logged-in user founded
  channelCreateBurst: int(1, 100000), // rooms one connection may create at once
  channelCreatesPerMinute: num(0.01, 100000), // then this many a minute
});

const moderation = obj({
  /** the terminal running `tincan serve` is an admin console when stdin is a TTY */
  console: bool,
  /** `tincan admin` talks to the server over <dataDir>/admin.sock (mode 0600) */
  socket: bool,
  /** the join card's one-time admin code lasts this long (0 = no code) */
  claimCodeMinutes: num(0, 100000),
  /** wrong codes tried per address per minute before it must wait */
  claimAttemptsPerMinute: int(1, 1000),
  /** a ban or mute without a duration lasts this long (0 = until lifted) */
  defaultBanHours: num(0, 1000000),
  /** server-wide bans and mutes kept at most */
  maxSanctions: int(1, 10000000),
});

const flood = obj({
  enabled: bool,
  /** tokens refilled per second (= sustained lines/s) */
  linesPerSecond: num(0.01, 100000),
  /** bucket size (= burst) */
  burst: int(1, 100000),
  /** lines waiting while the bucket is empty; over this the client is disconnected */
  maxQueued: int(0, 1000000),
  /** UTF-8 bytes of those waiting lines; over this the client is disconnected */
  maxQueuedBytes: int(0, 1024 * 1024 * 1024),
});

const connections = obj({
  enabled: bool,
  /** concurrent connections per IP */
  perIp: int(1, 1000000),
  /** new connections per IP per minute */
  ratePerMinute: int(1, 1000000),
  /** whole server */
  maxClients: int(1, 10000000),
  /** IPv6 peers are grouped by this prefix length for perIp, ratePerMinute and silentPerIp */
  ipv6Prefix: int(1, 128),
  /** connections that never sent a byte (netcat listeners) per address group */
  silentPerIp: int(0, 1000000),
  /** CIDRs of reverse proxies whose PROXY protocol v1/v2 header gives the client's address */
  trustedProxies: arr(cidr, 1000),
});

/** seconds */
const timeouts = obj({
  /** to finish registration */
  registration: num(0.01, 86400),
  /** of silence before we PING */
  pingInterval: num(0.01, 86400),
  /** to answer our PING before being dropped */
  pingTimeout: num(0.01, 86400),
  /** a connection that never sent a byte is kept (a silent listener) */
  silentIdle: num(0.01, 86400 * 7),
});

/** The HTTP side of the port (web client, /irc WebSocket). Timeouts in seconds. */
const web = obj({
  /** Origins (e.g. "https://chat.example.org") allowed to open /irc besides same-origin and none; "*" = any */
  allowedOrigins: arr(origin, 1000),
  /** the whole request head must arrive within this, however it trickles */
  headTimeout: num(0.01, 3600),
  /** a request must be answered within this */
  requestTimeout: num(0.01, 3600),
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeout: num(0.01, 3600),
});

/** TLS on the same port (and optionally its own). Timeouts in seconds. */
const tls = obj({
  /** answer a TLS ClientHello (false: a TLS client gets a handshake_failure alert) */
  enabled: bool,
  /** a second, TLS-only port (e.g. 6697), null = none */
  port: nullable(int(0, 65535)),
  /** PEM certificate (chain) and key files; both null = a self-signed one in dataDir */
  cert: nullable(str({ min: 1, max: 4096, expected: 'a path to a PEM certificate file, or null' })),
  key: nullable(str({ min: 1, max: 4096, expected: 'a path to a PEM key file, or null' })),
  /** seconds a client gets to finish the handshake */
  handshakeTimeout: num(0.01, 3600),
  /** handshakes in progress at once per address group */
  handshakesPerIp: int(1, 1000000),
  /** refuse plaintext IRC (one ERROR line says how to connect with TLS; http:// gets a 308) */
  require: bool,
  /** with require: refuse plaintext netcat/telnet users too */
  requirePlain: bool,
  /** STS duration advertised with a verifiable configured certificate (0 = no STS) */
  stsDuration: int(0, 400 * 86400),
});

const history = obj({
  /** keep channel history and channel state (topic, modes, bans) */
  enabled: bool,
  /** lines replayed on JOIN to clients without draft/chathistory (0 = none) */
  replayLines: int(0, 1000),
  /** most events one CHATHISTORY/HISTORY request returns (ISUPPORT CHATHISTORY=) */
  maxQuery: int(1, 10000),
  /** results per SEARCH */
  searchResults: int(1, 1000),
  /** delete events older than this many days (null = keep) */
  maxAgeDays: nullable(num(0.001, 365000)),
  /** keep at most this many events per channel (null = no limit) */
  maxPerChannel: nullable(int(1, 1_000_000_000)),
  /** how often retention runs, seconds */
  pruneIntervalSeconds: num(1, 86400 * 7),
});

/** Registered accounts (docs/accounts.md): SASL, REGISTER, NickServ, nick protection. */
const accounts = obj({
  /** offer login (SASL, PASS account:password, NickServ) at all */
  enabled: bool,
  /** anyone may register a new account (REGISTER, NickServ REGISTER, /register) */
  registration: bool,
  /** characters a new password needs at least */
  minPasswordLength: int(1, 200),
  /** PBKDF2 iterations of new SCRAM-SHA-256 verifiers (RFC 7677: at least 4096) */
  scramIterations: int(4096, 1_000_000),
  /** a session holding a registered nick without logging in is renamed after this */
  nickGraceSeconds: num(1, 86400),
  /** new accounts per address per hour */
  registrationsPerIpPerHour: int(1, 1_000_000),
  /** messages kept for an account while it is offline (0 = none: "No such nick" as before) */
  offlineMessagesPerAccount: int(0, 10_000),
  /** of those, at most this many from one sending address */
  offlineMessagesPerSender: int(1, 10_000),
});

/** storage: postgres (docs/scale-out.md); the password may also come from PGPASSWORD */
const postgres = obj({
  /** postgres://user:password@host:port/database; null = not configured */
  url: nullable(
    str({
      min: 1,
      max: 4096,
      expected: 'a postgres://user:password@host:port/database URL, or null',
      test: (s) => /^postgres(ql)?:\/\/[^\s]+$/.test(s),
    }),
  ),
  /** most connections one node opens */
  poolMax: int(1, 1000),
  /** longest one statement may run, ms */
  statementTimeoutMs: int(100, 3_600_000),
  /** longest to wait for a connection (new, or a free one from the pool), ms */
  connectTimeoutMs: int(100, 600_000),
});

/** several nodes as one server on Redis (docs/scale-out.md); redis null = one node */
const cluster = obj({
  /** redis://host:port/db; null = no cluster */
  redis: nullable(
    str({
      min: 1,
      max: 4096,
      expected: 'a redis://host:port/db URL, or null',
      test: (s) => /^rediss?:\/\/[^\s]+$/.test(s),
    }),
  ),
  /** nodes with the same name on the same Redis are one server */
  name: str({ min: 1, max: 64, expected: '1 to 64 letters, digits, ".", "_" or "-"', test: (s) => /^[A-Za-z0-9._-]+$/.test(s) }),
  /** this node's id; null = random per run */
  nodeId: nullable(str({ min: 1, max: 64, expected: '1 to 64 letters, digits, ".", "_" or "-", or null', test: (s) => /^[A-Za-z0-9._-]+$/.test(s) })),
  /** a dead node's nicks are free again after at most this long, ms */
  leaseMs: int(500, 600_000),
  /** cross-node entries held in memory while Redis is away */
  maxPending: int(10, 1_000_000),
});

/** Shared files (src/files/, docs/limits.md "Files"). Sizes in bytes, times in seconds. */
const files = obj({
  /** accept uploads on the HTTP side of the port */
  enabled: bool,
  /** largest single file */
  maxFileBytes: int(1, 1024 ** 4),
  /** what one uploader (by address) may have stored at once */
  quotaBytes: int(1, 1024 ** 4),
  /** all files together; past it the oldest (older than minKeepSeconds) expire first */
  budgetBytes: int(1, 1024 ** 5),
  /** a file this young is never expired to make room: the upload is refused instead */
  minKeepSeconds: num(0, 86400 * 3650),
  /** files older than this are deleted (null = kept until the budget needs the room) */
  maxAgeDays: nullable(num(0.001, 365000)),
  /** uploads one address may start per minute */
  uploadsPerMinute: int(1, 100000),
  /** how long an upload link from /upload stays valid */
  tokenSeconds: num(1, 86400),
  /** an upload that sends no bytes for this long is cut off (and removed) */
  idleTimeout: num(0.01, 3600),
  /** base of the links posted in chat, e.g. "https://chat.example.org"; null = the Host the uploader used */
  publicUrl: nullable(str({ min: 1, max: 500, expected: 'a URL like "http://192.168.1.5:4444" (scheme, host, optional port; no path), or null', test: (v) => /^https?:\/\/[^/\s]+$/.test(v) })),
});

export const CONFIG_SCHEMA = obj({
  /** '::' = all interfaces, IPv4 and IPv6 */
  host: str({
    min: 1,
    max: 253,
    expected: 'an IP address or host name, e.g. "::" (all interfaces) or "127.0.0.1"',
    test: (s) => isIP(s) !== 0 || HOSTNAME.test(s),
  }),
  port: int(0, 65535),
  dataDir: str({ min: 1, max: 4096, expected: 'a directory path' }),
  serverName: str({ max: 63, expected: 'a host name containing a dot, e.g. "tincan.local"', test: (s) => SERVERNAME.test(s) }),
  networkName: str({ max: 32, expected: 'a name of 1 to 32 characters without spaces, e.g. "tincan"', test: (s) => /^[\x21-\x7e]{1,32}$/.test(s) }),
  description: str({ max: 200 }),
  /** server password (PASS), null = none */
  password: nullable(str({ min: 1, max: 200, expected: 'a non-empty string without spaces, or null for none', test: (s) => !/\s/.test(s) })),
  /** lines; null = 422 ERR_NOMOTD */
  motd,
  admin: obj({ name: str({ max: 200 }), location: str({ max: 200 }), email: str({ max: 200 }) }),
  operators: arr(operator, 1000),
  casemapping: oneOf(['rfc1459', 'ascii']),
  limits,
  flood,
  connections,
  timeouts,
  web,
  tls,
  /** false = private ranges only (loopback, RFC1918, link-local, ULA, CGNAT) */
  public: bool,
  /** extra CIDRs allowed when public is false */
  allow: arr(cidr, 10000),
  defaultChannel: channelName,
  /** where history and channel state live: 'sqlite' (<dataDir>/tincan.db), 'memory', or 'postgres' (postgres.url) */
  storage: oneOf(['sqlite', 'memory', 'postgres']),
  postgres,
  /** host:port where clients should dial this node (/nodes.json, cluster failover); [] = the LAN addresses and port */
  advertise: arr(str({ min: 1, max: MAX_ADDRESS_LENGTH, expected: 'a host:port address clients can dial, e.g. "10.0.0.5:4444" or "[fd00::5]:4444"', test: validAddress }), MAX_ADDRESSES),
  cluster,
  history,
  accounts,
  files,
  moderation,
  logLevel: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

// ---- validation --------------------------------------------------------------------

type Path = readonly PropertyKey[];

/** `"abc" (string)`, `12.5 (number)`, `null`, `[1,2] (array)` */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  const type = Array.isArray(v) ? 'array' : typeof v;
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  if (text.length > 60) text = text.slice(0, 57) + '...';
  return `${text} (${type})`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

function suggest(key: string, known: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = levenshtein(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/** limits.nickLength, operators[0].password */
function pathText(path: Path): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out;
}

/** Objects merge key by key; arrays and scalars replace. `undefined` keeps the base. */
function merge(base: unknown, raw: unknown): unknown {
  if (!isPlainObject(raw) || !isPlainObject(base)) return raw;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(raw)) {
    // defineProperty: a "__proto__" key stays a key (and is reported unknown), not a prototype
    Object.defineProperty(out, k, { value: v === undefined ? base[k] : merge(base[k], v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Peels defaults, pipes (transforms) and nullables off to the object or array inside. */
function structural(s: z.ZodType): z.ZodType {
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

function schemaAt(path: Path): z.ZodType | undefined {
  let s: z.ZodType | undefined = CONFIG_SCHEMA;
  for (const k of path) {
    const inner: z.ZodType | undefined = s === undefined ? undefined : structural(s);
    if (inner instanceof z.ZodObject && typeof k === 'string') s = (inner.shape as Record<string, z.ZodType>)[k];
    else if (inner instanceof z.ZodArray && typeof k === 'number') s = inner.element as z.ZodType;
    else return undefined;
  }
  return s;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The "expected ..." text of a schema; a missing nullable also says "or null". */
function expectedOf(s: z.ZodType | undefined, missing: boolean): string {
  let orNull = false;
  while (s !== undefined) {
    const e = expectations.get(s);
    if (e !== undefined) return orNull ? `${e.expected}, or null` : e.expected;
    if (s instanceof z.ZodObject) return missing ? 'an object' : 'an object (key: value pairs)';
    if (s instanceof z.ZodNullable) orNull = missing;
    if (s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return 'a valid value';
}

/** zod issues -> the messages users read: key path, expectation, what was found. */
function problemsOf(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const unknown: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const name = pathText(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const s = schemaAt(issue.path);
      const inner = s === undefined ? undefined : structural(s);
      const known = inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
      for (const key of issue.keys) {
        const hint = suggest(key, known);
        const full = (k: string) => (name === '' ? k : `${name}.${k}`);
        unknown.push(`unknown key '${full(key)}'${name === '' ? '' : ` in ${name}`}${hint === null ? '' : ` (did you mean '${full(hint)}'?)`}`);
      }
      continue;
    }
    // one problem per key: zod may report a value twice (not an integer and too big)
    if (seen.has(name)) continue;
    seen.add(name);
    const value = valueAt(input, issue.path);
    const where = name === '' ? 'configuration' : name;
    if (value === undefined) {
      invalid.push(`${where}: missing (expected ${expectedOf(schemaAt(issue.path), true)})`);
    } else if (issue.code === 'too_big' && issue.origin === 'array' && Array.isArray(value)) {
      invalid.push(`${where}: expected at most ${String(issue.maximum)} entries, found ${value.length}`);
    } else {
      const detail = issue.code === 'custom' && typeof issue.params?.['detail'] === 'string' ? ` (${issue.params['detail']})` : '';
      invalid.push(`${where}: expected ${expectedOf(schemaAt(issue.path), false)}, found ${describeValue(value)}${detail}`);
    }
  }
  // a mistyped key first: it often explains the rest
  return [...unknown, ...invalid];
}

/**
 * Merges `raw` (parsed JSON/YAML, flags, ...) over `base` and validates every key.
 * Throws ConfigError listing every problem. The result is deep-frozen.
 */
export function validateConfig(raw: unknown, base: Config = DEFAULT_CONFIG, context?: string): Config {
  const input = merge(base, raw === null || raw === undefined ? {} : raw);
  const parsed = CONFIG_SCHEMA.safeParse(input);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error.issues, input), context);
  const merged: Config = parsed.data;
  // cross-field checks
  const problems: string[] = [];
  if (merged.defaultChannel.length > merged.limits.channelLength) {
    problems.push(
      `defaultChannel: expected at most limits.channelLength (${merged.limits.channelLength}) characters, found ${describeValue(merged.defaultChannel)}`,
    );
  }
  if (merged.storage === 'postgres' && merged.postgres.url === null) {
    problems.push('postgres.url: expected a postgres://user:password@host:port/database URL with storage: postgres (or --postgres URL), found null');
  }
  if (merged.cluster.redis !== null && merged.storage !== 'postgres') {
    problems.push(`cluster.redis: the nodes of a cluster share accounts and history in PostgreSQL: expected storage: postgres (or --postgres URL) with it, found storage: ${merged.storage}`);
  }
  merged.operators.forEach((o, i) => {
    const p = passwordProblem(o.password);
    if (p !== null) problems.push(`operators[${i}].password (operator "${o.name}"): the password ${p}`);
  });
  if (problems.length > 0) throw new ConfigError(problems, context);
  return deepFreeze(merged);
}
