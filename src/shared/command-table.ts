/**
 * The shape of a slash-command table, shared by the plain dialect
 * (src/dialects/plain/commands.ts) and the terminal client (src/clients/shared/commands.ts).
 * Each command is one entry (name, aliases, arguments, one help line, handler), so
 * lookup, usage messages and `/help` are generated from the table and cannot drift from
 * the commands that exist. Pure: no node: imports, no DOM.
 */

/** One typed command line, split. */
export interface CommandInput {
  /** the name as typed, lowercased, without the `/` (an alias stays the alias) */
  name: string;
  /** everything after the name, trimmed */
  rest: string;
  /** `rest` split on whitespace, no empty words */
  args: string[];
}

export interface CommandSpec<Ctx> {
  name: string;
  aliases?: readonly string[];
  /** argument synopsis for help and usage errors, '' if none: `NAME text`, `[#room]` */
  args: string;
  /** one line: what it does */
  help: string;
  run(ctx: Ctx, input: CommandInput): void;
}

/**
 * Splits `/name rest`. Null when the line is not a command: no leading `/`, or `//`
 * (which sends the rest, starting with `/`, as a message).
 */
export function parseCommandLine(line: string): CommandInput | null {
  if (!line.startsWith('/') || line.startsWith('//')) return null;
  const m = /^\/(\S*)\s*([^]*)$/.exec(line);
  const name = (m?.[1] ?? '').toLowerCase();
  const rest = (m?.[2] ?? '').trim();
  return { name, rest, args: rest.split(/\s+/).filter((w) => w !== '') };
}

/** A command table: lookup by name or alias, usage text and generated help. */
export class CommandTable<Ctx> {
  readonly specs: readonly CommandSpec<Ctx>[];
  readonly #byName = new Map<string, CommandSpec<Ctx>>();

  constructor(specs: readonly CommandSpec<Ctx>[]) {
    this.specs = specs;
    for (const s of specs) {
      for (const n of [s.name, ...(s.aliases ?? [])]) {
        // a clash would silently shadow a command: a programming error, caught at load
        if (this.#byName.has(n)) throw new Error(`command table: /${n} is defined twice`);
        this.#byName.set(n, s);
      }
    }
  }

  /** The command called `name` (or with that alias); a leading `/` is ignored. */
  get(name: string): CommandSpec<Ctx> | undefined {
    return this.#byName.get(name.replace(/^\//, '').toLowerCase());
  }

  /** Every name and alias, for completion. */
  get names(): string[] {
    return [...this.#byName.keys()];
  }

  /** `/name args` */
  static usage(spec: CommandSpec<unknown>): string {
    return spec.args === '' ? `/${spec.name}` : `/${spec.name} ${spec.args}`;
  }

  /**
   * One row per command: `prefix` + usage padded to a column + help. The column is at
   * least `minColumn` wide, wider when a usage needs it.
   */
  helpRows(prefix = '', minColumn = 0): string[] {
    const col = Math.max(minColumn, ...this.specs.map((s) => CommandTable.usage(s).length + 2));
    return this.specs.map((s) => `${prefix}${CommandTable.usage(s).padEnd(col)}${s.help}`);
  }

  /** Help for one command (its usage, help and aliases), or null if there is none. */
  helpFor(name: string, prefix = ''): string[] | null {
    const s = this.get(name);
    if (s === undefined) return null;
    const rows = [`${prefix}${CommandTable.usage(s)}  ${s.help}`];
    const aliases = s.aliases ?? [];
    if (aliases.length > 0) rows.push(`${prefix}also: ${aliases.map((a) => '/' + a).join(' ')}`);
    return rows;
  }
}
