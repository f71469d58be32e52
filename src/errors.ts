/**
 * Stable error codes (`TINCAN_ERR_*`): why the server closed a connection, and why it
 * refused to start. One table, code -> meaning -> what the user sees; docs/errors.md
 * lists the same codes with what to do (test/unit/errors.test.ts keeps the two in step).
 * Logs carry the code; tests assert the code, and look the text up here.
 *
 * No imports: core, transports, config and storage all use it.
 */

interface CloseReason {
  /** what happened, for maintainers and docs */
  readonly meaning: string;
  /** what the peer is told: the text inside "ERROR :Closing link: HOST (TEXT)", or the whole line for plain listeners */
  readonly text: (detail: string) => string;
}

const fixed = (text: string) => () => text;

/** Why the server closed (or refused) a connection. */
export const CLOSE_REASONS = {
  TINCAN_ERR_FLOOD: { meaning: 'the client sent lines faster than flood control allows, past the queue cap', text: fixed('Excess Flood') },
  TINCAN_ERR_SENDQ: { meaning: 'the client read too slowly: its send queue passed limits.sendQBytes', text: fixed('SendQ exceeded') },
  TINCAN_ERR_PREREG_LINES: {
    meaning: 'more than limits.preRegistrationLines lines before registering',
    text: fixed('Too many lines before registration'),
  },
  TINCAN_ERR_REG_TIMEOUT: { meaning: 'registration (NICK and USER) did not finish within timeouts.registration', text: fixed('Registration timeout') },
  TINCAN_ERR_PING_TIMEOUT: { meaning: 'no answer to our PING within timeouts.pingTimeout', text: (seconds) => `Ping timeout: ${seconds} seconds` },
  TINCAN_ERR_BAD_PASSWORD: { meaning: 'the server password (PASS) was missing or wrong', text: fixed('Bad password') },
  TINCAN_ERR_KILLED: { meaning: 'an operator removed the client with KILL', text: (detail) => `Killed (${detail})` },
  TINCAN_ERR_BANNED: { meaning: 'an admin banned the client from the server (a mask, address or account), until the ban expires', text: (detail) => `Banned from this server${detail === '' ? '' : ` (${detail})`}` },
  TINCAN_ERR_SHUTDOWN: { meaning: 'the server is shutting down', text: (reason) => reason || 'Server shutting down' },
  TINCAN_ERR_INTERNAL: { meaning: 'a bug while serving this client; logged with its stack, only this client is dropped', text: fixed('Internal server error') },
  TINCAN_ERR_HANDOFF: { meaning: 'a bug while handing a new connection to the server; logged', text: fixed('internal error') },
  TINCAN_ERR_NOT_LOCAL: {
    meaning: 'the peer is outside the local network and the server is not public',
    text: fixed('tincan only accepts connections from the local network; start the server with --public to allow others'),
  },
  TINCAN_ERR_TOO_MANY: {
    meaning: 'too many connections (connections.perIp) or new connections per minute (connections.ratePerMinute) from one address',
    text: fixed('Too many connections from your address'),
  },
  TINCAN_ERR_SERVER_FULL: { meaning: 'the server has connections.maxClients connections', text: fixed('Server is full') },
  TINCAN_ERR_SILENT_TOO_MANY: {
    meaning: 'too many connections that never sent a byte (connections.silentPerIp) from one address',
    text: (n) =>
      `* tincan: ${n} connections from your address are already open without typing anything; closing this one. Type something in one of them, or close some.`,
  },
  TINCAN_ERR_SILENT_IDLE: {
    meaning: 'a connection sent nothing for timeouts.silentIdle',
    text: (duration) => `* tincan: this connection has been open for ${duration} without sending anything, so it is being closed. Connect again any time.`,
  },
} as const satisfies Record<string, CloseReason>;

export type CloseCode = keyof typeof CLOSE_REASONS;

/** What the peer is told for `code` (the reason in parentheses, or a plain listener's line). */
export function closeText(code: CloseCode, detail = ''): string {
  return CLOSE_REASONS[code].text(detail);
}

/** `ERROR :Closing link: HOST (TEXT)`; without a host, `ERROR :Closing link: (TEXT)`. */
export function closingLine(host: string, code: CloseCode, detail = ''): string {
  return `ERROR :Closing link: ${host === '' ? '' : host + ' '}(${closeText(code, detail)})`;
}

/** Why the server could not start (or reload): config, data directory, listening. */
export const STARTUP_ERRORS = {
  TINCAN_ERR_CONFIG_INVALID: 'a configuration value is wrong or a key is unknown',
  TINCAN_ERR_CONFIG_FILE_TYPE: 'the config file is not .json, .yaml or .yml',
  TINCAN_ERR_CONFIG_UNREADABLE: 'the config file cannot be read',
  TINCAN_ERR_CONFIG_SYNTAX: 'the config file is not valid JSON or YAML',
  TINCAN_ERR_DATA_DIR_UNUSABLE: 'the data directory (or a parent) cannot be looked at',
  TINCAN_ERR_DATA_DIR_NOT_DIR: 'the data directory, or a parent of it, is a file',
  TINCAN_ERR_DATA_DIR_CREATE: 'the data directory cannot be created',
  TINCAN_ERR_DATA_DIR_NOT_WRITABLE: 'the data directory is not writable',
  TINCAN_ERR_DATA_DIR_LOCK: 'the data directory cannot be locked',
  TINCAN_ERR_DATA_DIR_IN_USE: 'another tincan server uses the data directory',
  TINCAN_ERR_DATA_DIR_DB_READONLY: 'the history database file cannot be written',
  TINCAN_ERR_HISTORY_OPEN: 'the history database cannot be opened',
  TINCAN_ERR_CLUSTER: 'the cluster (cluster.redis) cannot be joined',
  TINCAN_ERR_USAGE: 'a command-line flag or argument is wrong',
  TINCAN_ERR_PORT_IN_USE: 'the port is taken (often by another tincan)',
  TINCAN_ERR_PORT_DENIED: 'listening on the port needs privileges (ports below 1024)',
  TINCAN_ERR_NO_SUCH_ADDRESS: 'the --host address is not on this machine',
  TINCAN_ERR_LISTEN: 'listening failed for another reason',
} as const;

export type StartupCode = keyof typeof STARTUP_ERRORS;
