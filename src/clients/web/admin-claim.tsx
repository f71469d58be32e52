/**
 * The browser's way to the host's one-time admin code (issue 14): a small "Host admin"
 * entry in the rooms menu. Typing the join card's code there is the same as `/admin CODE`
 * (CLAIM); the server's answer shows in the server window, as any reply does.
 */
import { useState } from 'preact/hooks';
import type { IrcClient } from '../shared/irc-client.js';

export function AdminClaim({ client }: { client: IrcClient }) {
  const [code, setCode] = useState('');
  return (
    <details class="admin-claim">
      <summary>Host admin</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const c = code.trim();
          if (c === '' || !client.connected) return;
          client.send('CLAIM', c);
          setCode('');
        }}
      >
        <label class="sr" for="admin-code">
          Admin code from the server's join card
        </label>
        <input id="admin-code" placeholder="code from the join card" value={code} autoCapitalize="characters" autoComplete="off" spellcheck={false} onInput={(e) => setCode(e.currentTarget.value)} />
        <button type="submit" class="small">
          Claim
        </button>
      </form>
    </details>
  );
}
