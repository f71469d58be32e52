/**
 * The validated, frozen server configuration. Built by config/schema.ts from defaults,
 * an optional JSON/YAML file and command-line flags; swapped whole on SIGHUP/REHASH.
 */
export type Casemapping = 'rfc1459' | 'ascii';

export interface OperatorConfig {
  name: string;
  /** plain text, or "scrypt$<salt-hex>$<hash-hex>" */
  password: string;
  /** optional host masks the oper must match (nick!user@host globs); empty = any */
  hosts: string[];
}

export interface LimitsConfig {
  nickLength: number; // NICKLEN, default 30
  channelLength: number; // CHANNELLEN, default 50
  topicLength: number; // TOPICLEN, default 390
  awayLength: number; // AWAYLEN, default 390
  kickLength: number; // KICKLEN, default 390
  userLength: number; // USERLEN, default 18
  realnameLength: number; // default 100
  channelsPerUser: number; // CHANLIMIT, default 50
  targetsPerCommand: number; // TARGMAX for PRIVMSG/NOTICE etc., default 4
  banListSize: number; // MAXLIST b, default 100
  modesPerCommand: number; // MODES, default 6
  whowasSize: number; // entries remembered for WHOWAS, default 1000
  sendQBytes: number; // per-connection send queue cap, default 1 MiB
  maxLineBytes: number; // reader limit incl. tags, default 8191 + 512
  preRegistrationLines: number; // lines accepted before registration completes, default 30
  maxChannels: number; // channels that may exist at once (kept empty ones count), default 1000
  channelsCreatedPerUser: number; // existing channels one connection created, default 10
  channelsCreatedPerIp: number; // existing channels created from one address, default 20
  emptyChannelExpiryDays: number; // a kept empty channel (history on) is dropped after this, default 7
}

export interface FloodConfig {
  enabled: boolean;
  /** tokens refilled per second (= sustained lines/s) */
  linesPerSecond: number;
  /** bucket size (= burst) */
  burst: number;
  /** lines waiting while the bucket is empty; over this the client is disconnected */
  maxQueued: number;
}

export interface ConnectionLimitsConfig {
  enabled: boolean;
  /** concurrent connections per IP */
  perIp: number;
  /** new connections per IP per minute */
  ratePerMinute: number;
  /** whole server */
  maxClients: number;
  /** IPv6 peers are grouped by this prefix length for perIp, ratePerMinute and silentPerIp, default 64 */
  ipv6Prefix: number;
  /** connections that never sent a byte (netcat listeners) per address group, default 5 */
  silentPerIp: number;
}

export interface TimeoutsConfig {
  /** seconds to finish registration */
  registration: number;
  /** seconds of silence before we PING */
  pingInterval: number;
  /** seconds to answer our PING before being dropped */
  pingTimeout: number;
  /** seconds a connection that never sent a byte is kept (a silent listener), default 600 */
  silentIdle: number;
}

/** The HTTP side of the port (web client, /irc WebSocket). Timeouts in seconds. */
export interface WebConfig {
  /** Origins (e.g. "https://chat.example.org") allowed to open /irc besides same-origin and none; "*" = any */
  allowedOrigins: string[];
  /** the whole request head must arrive within this, however it trickles, default 10 */
  headTimeout: number;
  /** a request must be answered within this, default 30 */
  requestTimeout: number;
  /** an idle keep-alive connection is closed after this, default 5 */
  keepAliveTimeout: number;
}

/** TLS on the one port (first bytes decide) and an optional TLS-only port. */
export interface TlsConfig {
  /** answer a TLS ClientHello (false: a TLS client gets a handshake_failure alert), default true */
  enabled: boolean;
  /** a second, TLS-only port (e.g. 6697), null = none */
  port: number | null;
  /** PEM certificate (chain) and key files; both null = a self-signed one in dataDir */
  cert: string | null;
  key: string | null;
  /** seconds a client gets to finish the handshake, default 10 */
  handshakeTimeout: number;
  /** handshakes in progress at once per address group, default 10 */
  handshakesPerIp: number;
  /** refuse plaintext IRC (a one-line ERROR says how to connect with TLS; http:// gets a 308 to https://), default false */
  require: boolean;
  /** with require: refuse plaintext netcat/telnet users too, default false */
  requirePlain: boolean;
  /** STS duration in seconds advertised with a verifiable configured certificate (0 = no STS), default 2592000 */
  stsDuration: number;
}

export interface HistoryConfig {
  /** keep channel history and channel state (topic, modes, bans) */
  enabled: boolean;
  /** lines replayed on JOIN to clients without draft/chathistory (0 = none), default 20 */
  replayLines: number;
  /** most events one CHATHISTORY/HISTORY request returns (ISUPPORT CHATHISTORY=), default 100 */
  maxQuery: number;
  /** results per SEARCH, default 20 */
  searchResults: number;
  /** delete events older than this many days (null = keep) */
  maxAgeDays: number | null;
  /** keep at most this many events per channel (null = no limit) */
  maxPerChannel: number | null;
  /** how often retention runs, default 600 */
  pruneIntervalSeconds: number;
}

export interface Config {
  host: string; // '::' = all interfaces, IPv4 and IPv6
  port: number; // 4444
  dataDir: string;
  serverName: string; // 'tincan.local'
  networkName: string; // 'tincan'
  description: string;
  password: string | null; // server password (PASS), null = none
  motd: string[] | null; // lines; null = 422 ERR_NOMOTD
  admin: { name: string; location: string; email: string };
  operators: OperatorConfig[];
  casemapping: Casemapping;
  limits: LimitsConfig;
  flood: FloodConfig;
  connections: ConnectionLimitsConfig;
  timeouts: TimeoutsConfig;
  web: WebConfig;
  tls: TlsConfig;
  /** false = private ranges only (loopback, RFC1918, link-local, ULA, CGNAT) */
  public: boolean;
  /** extra CIDRs allowed when public is false */
  allow: string[];
  defaultChannel: string; // '#lobby'
  /** where history and channel state live: 'sqlite' (<dataDir>/tincan.db) or 'memory' */
  storage: 'sqlite' | 'memory';
  history: HistoryConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}
