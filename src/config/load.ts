/**
 * Loads the configuration: defaults, then an optional JSON or YAML file, then
 * command-line flags. Errors name where the bad value came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Config } from './types.js';
import { ConfigError, DEFAULT_CONFIG, deepFreeze, validateConfig } from './schema.js';

/** Values from command-line flags (top-level keys only); validated like the file. */
export type ConfigFlags = { [K in keyof Config]?: unknown };

export interface LoadConfigOptions {
  file?: string;
  flags: ConfigFlags;
  /** base for relative paths given on the command line (default: process.cwd()) */
  cwd?: string;
}

/** Reads and parses a .json / .yaml / .yml file (no validation). */
export function readConfigFile(file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
    throw new ConfigError([`unsupported file type '${ext || '(none)'}': expected a .json, .yaml or .yml file`], file, 'TINCAN_ERR_CONFIG_FILE_TYPE');
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'file not found' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new ConfigError([`cannot read config file: ${why}`], file, 'TINCAN_ERR_CONFIG_UNREADABLE');
  }
  try {
    if (ext === '.json') return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    return parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (e) {
    const kind = ext === '.json' ? 'JSON' : 'YAML';
    throw new ConfigError([`not valid ${kind}: ${(e as Error).message.trim()}`], file, 'TINCAN_ERR_CONFIG_SYNTAX');
  }
}

export function loadConfig(opts: LoadConfigOptions): Config {
  const cwd = opts.cwd ?? process.cwd();
  let config = DEFAULT_CONFIG;
  let dataDirBase = cwd;
  if (opts.file !== undefined) {
    const file = resolve(cwd, opts.file);
    const raw = readConfigFile(file);
    config = validateConfig(raw, DEFAULT_CONFIG, file);
    // a dataDir written in the file is relative to the file
    if (config.dataDir !== DEFAULT_CONFIG.dataDir) dataDirBase = dirname(file);
  }
  const flags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts.flags)) if (v !== undefined) flags[k] = v;
  if (Object.keys(flags).length > 0) {
    config = validateConfig(flags, config, 'command-line flags');
    if (flags['dataDir'] !== undefined) dataDirBase = cwd;
  }
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(dataDirBase, config.dataDir);
  if (dataDir === config.dataDir) return config;
  return deepFreeze({ ...structuredClone(config), dataDir });
}
