/**
 * Accounts in the browser: the "Keep this name" form (password twice, then REGISTER), the
 * log-in form (SASL PLAIN), and this device's token. After a password login or a
 * registration the page asks tincan for a device token (TOKEN NEW) and keeps that, not
 * the password, in localStorage (`tincan.device`: account, token id, token); a reload
 * logs in with the token (SASL PLAIN, the token as the password). "Log out this device"
 * revokes the token on the server (TOKEN REVOKE) and forgets it here. The password
 * lives only in the form's state until it is sent.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuthEvent, IrcClient } from '../shared/irc-client.js';
import { load, save } from './storage.js';

export const DEVICE_KEY = 'tincan.device';

export interface DeviceLogin {
  account: string;
  id: string;
  token: string;
}

export function loadDevice(): DeviceLogin | null {
  try {
    const v = JSON.parse(load(DEVICE_KEY) ?? 'null') as Partial<DeviceLogin> | null;
    if (v !== null && typeof v.account === 'string' && typeof v.id === 'string' && typeof v.token === 'string') return { account: v.account, id: v.id, token: v.token };
  } catch {
    /* not ours */
  }
  return null;
}

/** The IrcClient options that log this device in (spread into the options), and its nick. */
export function deviceLoginOptions(): { login?: { account: string; password: string } } {
  const d = loadDevice();
  return d === null ? {} : { login: { account: d.account, password: d.token } };
}

/** A label the user can recognise in TOKEN LIST. */
function deviceLabel(): string {
  const ua = typeof navigator === 'undefined' ? '' : navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom(e|ium)\//.test(ua) ? 'Chromium' : /Safari\//.test(ua) ? 'Safari' : 'browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return `${browser}${os === '' ? '' : ' on ' + os} (web)`;
}

/**
 * Wires the model's account events to this page's storage: a password login or a
 * registration gets a device token; a refused token is forgotten.
 */
export function attachAccount(c: IrcClient): () => void {
  return c.on('auth', (e: AuthEvent) => {
    const d = loadDevice();
    switch (e.kind) {
      case 'logged-in':
        // logged in with the password (not this device's token): swap it for a token
        if (d === null || d.account.toLowerCase() !== e.account.toLowerCase() || c.credentials?.password !== d.token) c.requestDeviceToken(deviceLabel());
        return;
      case 'token-created':
        if (e.token === undefined || c.account === null) return;
        save(DEVICE_KEY, JSON.stringify({ account: c.account, id: e.token.id, token: e.token.token } satisfies DeviceLogin));
        // reconnects log in with the token; the password is dropped from memory
        c.credentials = { account: c.account, password: e.token.token };
        c.info(c.server, e.text);
        return;
      case 'login-failed':
        if (d !== null && e.account.toLowerCase() === d.account.toLowerCase()) {
          save(DEVICE_KEY, null);
          c.info(c.server, 'This device was logged out (its token was revoked or the account is gone): log in again to keep your name', 'error');
        }
        return;
      case 'token-revoked':
        if (d !== null && e.token?.id === d.id) save(DEVICE_KEY, null);
        return;
    }
  });
}

/** Revokes this device's token (waiting at most `ms` for the answer) and forgets it. */
export function logOutDevice(c: IrcClient, ms = 3000): Promise<void> {
  const d = loadDevice();
  save(DEVICE_KEY, null);
  c.forgetLogin();
  if (d === null || c.revokeDeviceToken(d.id) !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    const off = c.on('auth', (e) => {
      if ((e.kind === 'token-revoked' && e.token?.id === d.id) || e.kind === 'token-failed') done();
    });
    function done(): void {
      clearTimeout(t);
      off();
      resolve();
    }
  });
}

type Mode = 'closed' | 'register' | 'login';

/** The account box under the nick: keep this name / log in, or who you are logged in as. */
export function AccountPanel({ client, onLoggedOut }: { client: IrcClient; onLoggedOut: () => void }) {
  const [mode, setMode] = useState<Mode>('closed');
  const [busy, setBusy] = useState(false);
  if (!client.connected) return null;
  if (client.account !== null) {
    return (
      <div class="account">
        <span class="status">🔑 Logged in as {client.account}</span>
        <button
          class="small"
          disabled={busy}
          title="Forget this device's login (the token is revoked on the server)"
          onClick={() => {
            setBusy(true);
            void logOutDevice(client).then(onLoggedOut);
          }}
        >
          Log out this device
        </button>
      </div>
    );
  }
  if (mode === 'closed') {
    return (
      <div class="account">
        {client.offered.has('draft/account-registration') && (
          <button class="small" onClick={() => setMode('register')} title={`Register ${client.nick} so only you can use it`}>
            Keep this name
          </button>
        )}
        {client.offered.has('sasl') && (
          <button class="small" onClick={() => setMode('login')}>
            Log in
          </button>
        )}
      </div>
    );
  }
  return <AccountForm client={client} mode={mode} onClose={() => setMode('closed')} />;
}

function AccountForm({ client, mode, onClose }: { client: IrcClient; mode: 'register' | 'login'; onClose: () => void }) {
  const [account, setAccount] = useState(client.nick);
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [err, setErr] = useState('');
  const [waiting, setWaiting] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  useEffect(
    () =>
      client.on('auth', (e) => {
        if (e.kind === 'registered' || e.kind === 'logged-in') onClose();
        else if (e.kind === 'register-failed' || e.kind === 'login-failed') {
          setWaiting(false);
          setErr(e.text);
        }
      }),
    [client],
  );
  const register = mode === 'register';
  return (
    <form
      class="account-form"
      aria-label={register ? 'Keep this name' : 'Log in'}
      onSubmit={(e) => {
        e.preventDefault();
        if (pw === '') return setErr('Type a password');
        if (register && pw !== pw2) return setErr('The two passwords differ');
        const why = register ? client.register(pw) : client.login(account.trim() || client.nick, pw);
        if (why !== null) return setErr(why);
        setErr('');
        setWaiting(true);
        // the password leaves the page's state once sent
        setPw('');
        setPw2('');
      }}
    >
      <h2>{register ? `Keep the name ${client.nick}` : 'Log in'}</h2>
      {register ? (
        <p class="muted">Choose a password: from then on only you can use this name, from any device.</p>
      ) : (
        <>
          <label for="acct-name">Account</label>
          <input id="acct-name" ref={first} value={account} autoComplete="username" autoCapitalize="off" spellcheck={false} onInput={(e) => setAccount(e.currentTarget.value)} />
        </>
      )}
      <label for="acct-pw">Password</label>
      <input
        id="acct-pw"
        ref={register ? first : undefined}
        type="password"
        value={pw}
        autoComplete={register ? 'new-password' : 'current-password'}
        onInput={(e) => setPw(e.currentTarget.value)}
      />
      {register && (
        <>
          <label for="acct-pw2">Password again</label>
          <input id="acct-pw2" type="password" value={pw2} autoComplete="new-password" onInput={(e) => setPw2(e.currentTarget.value)} />
        </>
      )}
      <p class="err" role="alert">
        {err}
      </p>
      <div class="row">
        <button type="submit" class="primary small" disabled={waiting}>
          {register ? 'Keep this name' : 'Log in'}
        </button>
        <button type="button" class="small" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
