/**
 * irssi homes for the e2e tests that drive Debian's irssi in tmux (test/helpers/tmux.ts):
 * a config per nick with every window logged, and the logs read back.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveCommand } from './tmux.js';

export const irssiSkip: string | false = !haveCommand('irssi') || !haveCommand('tmux') ? 'irssi and tmux are needed (apt-get install irssi tmux)' : false;

export class IrssiHomes {
  readonly #homes = new Map<string, string>();
  readonly #tag: string;

  constructor(tag: string) {
    this.#tag = tag;
  }

  /** A fresh irssi home for `nick` (its `--home`): name and nick set, every window logged. */
  create(nick: string): string {
    const home = mkdtempSync(join(tmpdir(), `tincan-irssi-${this.#tag}-${nick}-`));
    writeFileSync(
      join(home, 'config'),
      `settings = {
  core = { real_name = "${nick} test"; user_name = "${nick}"; nick = "${nick}"; };
  "fe-common/core" = { autolog = "yes"; autolog_path = "${home}/logs/$0.log"; autolog_level = "all"; };
};
`,
    );
    this.#homes.set(nick, home);
    return home;
  }

  /**
   * What irssi `nick` logged: window `win` (channel or query, case-insensitive; with
   * `prefix`, every window whose name starts so), or every window when `win` is absent.
   */
  log(nick: string, win?: string, prefix = false): string {
    const home = this.#homes.get(nick);
    if (home === undefined) throw new Error(`no irssi home for ${nick}`);
    const dir = join(home, 'logs');
    if (!existsSync(dir)) return '';
    const w = win?.toLowerCase();
    return readdirSync(dir)
      .filter((f) => w === undefined || (prefix ? f.toLowerCase().startsWith(w) : f.toLowerCase() === `${w}.log`))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
  }

  removeAll(): void {
    for (const home of this.#homes.values()) rmSync(home, { recursive: true, force: true });
    this.#homes.clear();
  }
}
