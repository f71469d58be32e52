/**
 * The validated, frozen server configuration. Built by config/schema.ts from defaults,
 * an optional JSON/YAML file and command-line flags; swapped whole on SIGHUP/REHASH.
 *
 * The types are inferred from the zod schema (schema.ts, CONFIG_SCHEMA), so a key cannot
 * exist in the type without being validated. The per-key documentation lives there.
 */
import type { z } from 'zod';
import type { CONFIG_SCHEMA } from './schema.js';

export type Config = z.output<typeof CONFIG_SCHEMA>;
export type Casemapping = Config['casemapping'];
export type OperatorConfig = Config['operators'][number];
export type LimitsConfig = Config['limits'];
export type FloodConfig = Config['flood'];
export type ConnectionLimitsConfig = Config['connections'];
export type TimeoutsConfig = Config['timeouts'];
export type WebConfig = Config['web'];
export type HistoryConfig = Config['history'];
export type TlsConfig = Config['tls'];
export type AccountsConfig = Config['accounts'];
export type PostgresConfig = Config['postgres'];
export type FilesConfig = Config['files'];
