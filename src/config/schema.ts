/**
 * Defaults and validation for Config. `validateConfig(raw, base)` deep-merges `raw`
 * over `base` (objects merge, arrays and scalars replace) and checks every key,
 * collecting every problem into one ConfigError.
 */
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import type { Config } from './types.js';
import { parseCidr } from '../transports/netmask.js';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], context?: string) {
    const head = context === undefined ? 'invalid configuration' : `invalid configuration in ${context}`;
    super(`${head}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
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
    sendQBytes: 1024 * 1024,
    maxLineBytes: 8191 + 512,
    preRegistrationLines: 30,
    // channels (docs/limits.md): a cap in total and on what one user / one address creates
    maxChannels: 1000,
    channelsCreatedPerUser: 10,
    channelsCreatedPerIp: 20,
    emptyChannelExpiryDays: 7,
  },
  // generous for people (a burst of 20 lines, then 5/s), stops paste floods
  flood: { enabled: true, linesPerSecond: 5, burst: 20, maxQueued: 100 },
  connections: { enabled: true, perIp: 20, ratePerMinute: 60, maxClients: 10000, ipv6Prefix: 64, silentPerIp: 5 },
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
  history: {
    enabled: true,
    replayLines: 20,
    maxQuery: 100,
    searchResults: 20,
    maxAgeDays: null,
    maxPerChannel: null,
    pruneIntervalSeconds: 600,
  },
  logLevel: 'info',
});

// ---- schema ------------------------------------------------------------------------

type Problems = string[];

interface Leaf {
  kind: 'leaf';
  /** returns the (possibly normalised) value, or a string: the "expected ..." text */
  check: (v: unknown) => { ok: true; value: unknown } | { ok: false; expected: string; detail?: string };
}
interface Obj {
  kind: 'object';
  fields: Record<string, Spec>;
  /** defaults for array elements (no base to merge over) */
  defaults?: Record<string, unknown>;
}
interface Arr {
  kind: 'array';
  of: Spec;
  max: number;
}
interface Nullable {
  kind: 'nullable';
  of: Spec;
}
type Spec = Leaf | Obj | Arr | Nullable;

const ok = (value: unknown) => ({ ok: true as const, value });
const bad = (expected: string, detail?: string) =>
  detail === undefined ? { ok: false as const, expected } : { ok: false as const, expected, detail };

function int(min: number, max: number): Leaf {
  return {
    kind: 'leaf',
    check: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? ok(v) : bad(`an integer from ${min} to ${max}`)),
  };
}
function num(min: number, max: number): Leaf {
  return {
    kind: 'leaf',
    check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? ok(v) : bad(`a number from ${min} to ${max}`)),
  };
}
const bool: Leaf = { kind: 'leaf', check: (v) => (typeof v === 'boolean' ? ok(v) : bad('true or false')) };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00\r\n]/;
function str(opts: { min?: number; max: number; expected?: string; test?: (s: string) => boolean }): Leaf {
  const min = opts.min ?? 0;
  const expected = opts.expected ?? (min > 0 ? `a non-empty string of at most ${opts.max} characters` : `a string of at most ${opts.max} characters`);
  return {
    kind: 'leaf',
    check: (v) => {
      if (typeof v !== 'string' || v.length < min || v.length > opts.max || CONTROL.test(v)) return bad(expected);
      if (opts.test !== undefined && !opts.test(v)) return bad(expected);
      return ok(v);
    },
  };
}
function oneOf(values: readonly string[]): Leaf {
  return {
    kind: 'leaf',
    check: (v) => (typeof v === 'string' && values.includes(v) ? ok(v) : bad(`one of ${values.map((x) => JSON.stringify(x)).join(', ')}`)),
  };
}
const obj = (fields: Record<string, Spec>, defaults?: Record<string, unknown>): Obj =>
  defaults === undefined ? { kind: 'object', fields } : { kind: 'object', fields, defaults };
const arr = (of: Spec, max = 10000): Arr => ({ kind: 'array', of, max });
const nullable = (of: Spec): Nullable => ({ kind: 'nullable', of });

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SERVERNAME = /^(?=.{3,63}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

const cidr: Leaf = {
  kind: 'leaf',
  check: (v) => {
    if (typeof v !== 'string') return bad('a CIDR string like "192.168.1.0/24" or "fd00::/8"');
    try {
      parseCidr(v);
      return ok(v);
    } catch (e) {
      return bad('a CIDR string like "192.168.1.0/24" or "fd00::/8"', (e as Error).message);
    }
  },
};

/** an Origin as browsers send it: scheme://host[:port], no path; or "*" */
const origin: Leaf = {
  kind: 'leaf',
  check: (v) => {
    const expected = 'an origin like "https://chat.example.org" or "http://10.0.0.5:8080" (scheme, host, optional port; no path), or "*"';
    if (v === '*') return ok(v);
    if (typeof v !== 'string' || v.length > 500) return bad(expected);
    try {
      const u = new URL(v);
      if (u.origin === 'null' || u.username !== '' || u.pathname !== '/' || u.search !== '' || u.hash !== '') return bad(expected);
      return ok(u.origin);
    } catch {
      return bad(expected);
    }
  },
};

/** motd: an array of lines, a single (multi-line) string, or null */
const motd: Leaf = {
  kind: 'leaf',
  check: (v) => {
    const expected = 'an array of strings (lines), a string, or null';
    if (v === null) return ok(null);
    if (typeof v === 'string') return ok(v.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n'));
    if (Array.isArray(v) && v.length <= 1000 && v.every((l) => typeof l === 'string' && !CONTROL.test(l))) return ok([...v]);
    return bad(expected);
  },
};

const channelName: Leaf = str({
  max: 200,
  expected: 'a channel name starting with "#" or "&" (no spaces, commas or control characters), or "" for none',
  // eslint-disable-next-line no-control-regex
  test: (s) => s === '' || /^[#&][^\s,\x00-\x1f]{1,199}$/.test(s),
});

const SCHEMA: Obj = obj({
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
  password: nullable(str({ min: 1, max: 200, expected: 'a non-empty string without spaces, or null for none', test: (s) => !/\s/.test(s) })),
  motd,
  admin: obj({ name: str({ max: 200 }), location: str({ max: 200 }), email: str({ max: 200 }) }),
  operators: arr(
    obj(
      {
        name: str({ max: 64, expected: 'an operator name (no spaces)', test: (s) => /^[^\s\x00-\x1f]{1,64}$/.test(s) }),
        password: str({ min: 1, max: 500 }),
        hosts: arr(str({ min: 1, max: 500, expected: 'a host mask like "*!*@192.168.*"' }), 1000),
      },
      { hosts: [] },
    ),
    1000,
  ),
  casemapping: oneOf(['rfc1459', 'ascii']),
  limits: obj({
    nickLength: int(1, 255),
    channelLength: int(2, 255),
    topicLength: int(1, 4096),
    awayLength: int(1, 4096),
    kickLength: int(1, 4096),
    userLength: int(1, 255),
    realnameLength: int(1, 4096),
    channelsPerUser: int(1, 100000),
    targetsPerCommand: int(1, 1000),
    banListSize: int(1, 100000),
    modesPerCommand: int(1, 100),
    whowasSize: int(0, 1000000),
    sendQBytes: int(4096, 1024 * 1024 * 1024),
    maxLineBytes: int(512, 1024 * 1024),
    preRegistrationLines: int(1, 100000),
    maxChannels: int(1, 10000000),
    channelsCreatedPerUser: int(1, 10000000),
    channelsCreatedPerIp: int(1, 10000000),
    emptyChannelExpiryDays: num(0.0001, 36500),
  }),
  flood: obj({
    enabled: bool,
    linesPerSecond: num(0.01, 100000),
    burst: int(1, 100000),
    maxQueued: int(0, 1000000),
  }),
  connections: obj({
    enabled: bool,
    perIp: int(1, 1000000),
    ratePerMinute: int(1, 1000000),
    maxClients: int(1, 10000000),
    ipv6Prefix: int(1, 128),
    silentPerIp: int(0, 1000000),
  }),
  timeouts: obj({
    registration: num(0.01, 86400),
    pingInterval: num(0.01, 86400),
    pingTimeout: num(0.01, 86400),
    silentIdle: num(0.01, 86400 * 7),
  }),
  web: obj({
    allowedOrigins: arr(origin, 1000),
    headTimeout: num(0.01, 3600),
    requestTimeout: num(0.01, 3600),
    keepAliveTimeout: num(0.01, 3600),
  }),
  tls: obj({
    enabled: bool,
    port: nullable(int(0, 65535)),
    cert: nullable(str({ min: 1, max: 4096, expected: 'a path to a PEM certificate file, or null' })),
    key: nullable(str({ min: 1, max: 4096, expected: 'a path to a PEM key file, or null' })),
    handshakeTimeout: num(0.01, 3600),
    handshakesPerIp: int(1, 1000000),
    require: bool,
    requirePlain: bool,
    stsDuration: int(0, 400 * 86400),
  }),
  public: bool,
  allow: arr(cidr, 10000),
  defaultChannel: channelName,
  storage: oneOf(['sqlite', 'memory']),
  history: obj({
    enabled: bool,
    replayLines: int(0, 1000),
    maxQuery: int(1, 10000),
    searchResults: int(1, 1000),
    maxAgeDays: nullable(num(0.001, 365000)),
    maxPerChannel: nullable(int(1, 1_000_000_000)),
    pruneIntervalSeconds: num(1, 86400 * 7),
  }),
  logLevel: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});

// ---- validation --------------------------------------------------------------------

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

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function validate(spec: Spec, raw: unknown, base: unknown, path: string, problems: Problems): unknown {
  if (raw === undefined) {
    if (base !== undefined) return base;
    problems.push(`${path}: missing (expected ${expectedOf(spec)})`);
    return undefined;
  }
  switch (spec.kind) {
    case 'leaf': {
      const r = spec.check(raw);
      if (r.ok) return r.value;
      problems.push(`${path}: expected ${r.expected}, found ${describeValue(raw)}${r.detail === undefined ? '' : ` (${r.detail})`}`);
      return base;
    }
    case 'nullable':
      return raw === null ? null : validate(spec.of, raw, base === null ? undefined : base, path, problems);
    case 'array': {
      if (!Array.isArray(raw)) {
        problems.push(`${path}: expected ${expectedOf(spec)}, found ${describeValue(raw)}`);
        return base;
      }
      if (raw.length > spec.max) {
        problems.push(`${path}: expected at most ${spec.max} entries, found ${raw.length}`);
        return base;
      }
      return raw.map((el, i) => validate(spec.of, el, undefined, `${path}[${i}]`, problems));
    }
    case 'object': {
      if (!isPlainObject(raw)) {
        problems.push(`${path === '' ? 'configuration' : path}: expected an object (key: value pairs), found ${describeValue(raw)}`);
        return base;
      }
      const b = isPlainObject(base) ? base : (spec.defaults ?? {});
      const known = Object.keys(spec.fields);
      for (const key of Object.keys(raw)) {
        if (!Object.hasOwn(spec.fields, key)) {
          const s = suggest(key, known);
          const where = path === '' ? '' : ` in ${path}`;
          problems.push(`unknown key '${join(path, key)}'${where}${s === null ? '' : ` (did you mean '${join(path, s)}'?)`}`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const key of known) out[key] = validate(spec.fields[key]!, raw[key], b[key], join(path, key), problems);
      return out;
    }
  }
}

function expectedOf(spec: Spec): string {
  switch (spec.kind) {
    case 'leaf': {
      const r = spec.check(Symbol('probe'));
      return r.ok ? 'a value' : r.expected;
    }
    case 'nullable':
      return `${expectedOf(spec.of)}, or null`;
    case 'array':
      return `a list of ${expectedOf(spec.of).replace(/^an? /, '')} values`;
    case 'object':
      return 'an object';
  }
}

/**
 * Merges `raw` (parsed JSON/YAML, flags, ...) over `base` and validates every key.
 * Throws ConfigError listing every problem. The result is deep-frozen.
 */
export function validateConfig(raw: unknown, base: Config = DEFAULT_CONFIG, context?: string): Config {
  const problems: Problems = [];
  const input = raw === null || raw === undefined ? {} : raw;
  const merged = validate(SCHEMA, input, base, '', problems) as Config;
  if (problems.length === 0) {
    // cross-field checks
    if (merged.defaultChannel.length > merged.limits.channelLength) {
      problems.push(
        `defaultChannel: expected at most limits.channelLength (${merged.limits.channelLength}) characters, found ${describeValue(merged.defaultChannel)}`,
      );
    }
    if (merged.limits.maxLineBytes < 512) problems.push('limits.maxLineBytes: expected at least 512');
  }
  if (problems.length > 0) throw new ConfigError(problems, context);
  return deepFreeze(merged);
}
