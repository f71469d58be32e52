/**
 * The browser client's UI (Preact): nick picker, room list with unread/mention badges,
 * message log with scrollback, composer with slash commands and Tab completion, member
 * list, topic, search, connection banner. All IRC state lives in the shared client model
 * (src/clients/shared/irc-client.ts, the one the terminal client runs); this file only
 * renders it, keeps what the page remembers (nick, rooms, this tab's password) and turns
 * clicks and keys into model calls.
 *
 * Layout: three columns on a desktop; below 760 px the room and member lists become
 * drawers (☰ and 👥 buttons, Esc closes). Keyboard: Alt+↑/↓ switch rooms, Alt+1…9 jump,
 * Tab completes nicks/commands, ↑ recalls the last line, Esc closes panels.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isValidNick } from '../../protocol/index.js';
import { HISTORY_PAGE, IrcClient } from '../shared/irc-client.js';
import type { ChatBuffer as Buffer, ChatLine as Line } from '../shared/buffer.js';
import { webSocketTransport, wsUrl } from '../shared/browser-transport.js';
import { complete, joinAndFocus, openQuery, orderedBuffers, runInput, sortedMembers, wantedChannels } from './commands.js';
import { collapseEvents, displaySegments, linkify, nickColourClass, roomColours, timeLabel } from './format.js';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** The colours of the people in the window on screen (see roomColours). */
const Colours = createContext<Map<string, string>>(new Map());

function colourOf(map: Map<string, string>, nick: string): string {
  return map.get(nick.toLowerCase()) ?? nickColourClass(nick);
}

/** A nick in its colour. */
function Nick({ nick, label = nick }: { nick: string; label?: string }) {
  const map = useContext(Colours);
  return <span class={`nick ${colourOf(map, nick)}`}>{label}</span>;
}

const NICK_KEY = 'tincan.nick';
const ROOMS_KEY = 'tincan.rooms';
/** the server password: this tab only (sessionStorage), never localStorage */
const PASSWORD_KEY = 'tincan.password';
const DEFAULT_ROOMS = ['#lobby'];

function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function save(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* private mode: nothing remembered */
  }
}

function loadSession(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}
function saveSession(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    /* storage off: asked again after a reload */
  }
}

function savedRooms(): string[] {
  try {
    const v: unknown = JSON.parse(load(ROOMS_KEY) ?? 'null');
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* ignore */
  }
  return DEFAULT_ROOMS;
}

/** Lines kept per window in the page. */
const MAX_LINES = 1500;

export function App() {
  const [client, setClient] = useState<IrcClient | null>(null);
  const [, setVersion] = useState(0);
  const scheduled = useRef(false);
  // the model says 'change' per line: render once per burst (a history page is 50 lines)
  const rerender = (): void => {
    if (scheduled.current) return;
    scheduled.current = true;
    queueMicrotask(() => {
      scheduled.current = false;
      setVersion((v) => v + 1);
    });
  };

  const start = (nick: string): void => {
    save(NICK_KEY, nick);
    const password = loadSession(PASSWORD_KEY);
    const c = new IrcClient({
      nick,
      realname: 'tincan web',
      serverLabel: location.host,
      transport: webSocketTransport(wsUrl(location)),
      channels: savedRooms(),
      ...(password !== null ? { password } : {}),
      maxLines: MAX_LINES,
      historyOnJoin: HISTORY_PAGE,
      extraCaps: ['draft/event-playback', 'chghost', 'setname'],
      searchLines: false,
      whoOnJoin: true,
    });
    c.on('change', rerender);
    // a /nick the server accepted: a reload comes back under it
    c.on('nick', (n) => save(NICK_KEY, n));
    c.on('line', (b, line) => {
      if (line.mention && !line.history && !line.self) notify(c, b, line);
    });
    c.connect();
    setClient(c);
  };

  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const nick = params.get('nick') ?? load(NICK_KEY);
    if (nick !== null && isValidNick(nick, 30) && params.get('pick') === null) start(nick);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (client === null) return <Login onStart={start} />;
  return (
    <Chat
      client={client}
      onQuit={() => {
        client.quit('Leaving');
        save(NICK_KEY, null);
        saveSession(PASSWORD_KEY, null);
        setClient(null);
      }}
    />
  );
}

function notify(c: IrcClient, b: Buffer, line: Line): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (!document.hidden && c.active === b) return;
  const who = line.nick ?? '';
  const n = new Notification(b.kind === 'query' ? who : `${who} in ${b.name}`, { body: plainText(line.text), tag: String(b.id) });
  n.onclick = () => {
    window.focus();
    c.setActive(b);
    n.close();
  };
}

/** Text as shown, without its markers (for a notification or a title). */
function plainText(s: string): string {
  return displaySegments(s)
    .map((x) => ('text' in x ? x.text : ''))
    .join('');
}

function Login({ onStart }: { onStart: (nick: string) => void }) {
  const [nick, setNick] = useState(load(NICK_KEY) ?? '');
  const [err, setErr] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <main class="login">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          const n = nick.trim();
          if (!isValidNick(n, 30)) {
            setErr('A nickname starts with a letter and has letters, digits or _-[]{}|^` (up to 30)');
            return;
          }
          onStart(n);
        }}
      >
        <h1>tincan</h1>
        <p class="sub">Chat with everyone on this network, here or from any IRC client.</p>
        <label for="nick">Choose a nickname</label>
        <input
          id="nick"
          ref={ref}
          value={nick}
          maxLength={30}
          autoComplete="nickname"
          autoCapitalize="off"
          spellcheck={false}
          onInput={(e) => setNick(e.currentTarget.value)}
          aria-invalid={err !== ''}
          aria-describedby="nick-err"
        />
        <p id="nick-err" class="err" role="alert">
          {err}
        </p>
        <button type="submit" class="primary">
          Start chatting
        </button>
      </form>
    </main>
  );
}

type Drawer = 'none' | 'rooms' | 'members';

function Chat({ client, onQuit }: { client: IrcClient; onQuit: () => void }) {
  const [drawer, setDrawer] = useState<Drawer>('none');
  const b = client.active;
  const buffers = orderedBuffers(client);
  const inputRef = useRef<HTMLInputElement>(null);

  // remember rooms (not while reconnecting: the rejoin is under way); show mentions in the title
  const rooms = wantedChannels(client).join(',');
  useEffect(() => {
    if (client.connected) save(ROOMS_KEY, JSON.stringify(rooms === '' ? [] : rooms.split(',')));
  }, [rooms]);
  const mentionsTotal = buffers.reduce((n, x) => n + x.mentions, 0);
  useEffect(() => {
    document.title = (mentionsTotal > 0 ? `(${mentionsTotal}) ` : '') + (b.kind === 'server' ? 'tincan' : `${b.name} · tincan`);
  }, [mentionsTotal, b.name, b.kind]);

  const go = (to: Buffer): void => {
    client.setActive(to);
    setDrawer('none');
    inputRef.current?.focus();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        if (client.searchResults !== null) client.closeSearch();
        setDrawer('none');
        return;
      }
      if (!e.altKey) return;
      const list = orderedBuffers(client);
      const i = list.indexOf(client.active);
      let to: Buffer | undefined;
      if (e.key === 'ArrowUp') to = list[(i - 1 + list.length) % list.length];
      else if (e.key === 'ArrowDown') to = list[(i + 1) % list.length];
      else if (/^[1-9]$/.test(e.key)) to = list[Number(e.key) - 1];
      if (to !== undefined) {
        e.preventDefault();
        go(to);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client]);

  const members = b.kind === 'channel' ? sortedMembers(client, b) : [];
  // everyone in view: the members, who spoke here, and me
  const speakers = b.lines.map((l) => l.nick ?? '').filter((n) => n !== '');
  const colours = roomColours([client.nick, ...members.map((m) => m.nick), ...speakers]);
  return (
    <Colours.Provider value={colours}>
    <div class={`app drawer-${drawer}${b.kind === 'channel' ? ' has-members' : ''}`}>
      <header class="top">
        <button class="icon only-narrow" aria-label="Rooms" aria-expanded={drawer === 'rooms'} onClick={() => setDrawer(drawer === 'rooms' ? 'none' : 'rooms')}>
          <MenuIcon />
          {buffers.some((x) => x.mentions > 0 && x !== b) && <span class="dot" aria-label="new mentions" />}
        </button>
        <div class="heading">
          <h1>{b.kind === 'server' ? 'Server' : b.name}</h1>
          {b.kind === 'channel' && (
            <p class="topic" title={plainText(b.topic)}>
              {b.topic === '' ? 'No topic' : <Rich text={b.topic} />}
            </p>
          )}
          {b.kind === 'query' && <p class="topic">Private conversation</p>}
        </div>
        {client.hasSearch && <SearchBox client={client} />}
        {b.kind === 'channel' && (
          <button class="icon people" aria-label={`People (${members.length})`} aria-expanded={drawer === 'members'} onClick={() => setDrawer(drawer === 'members' ? 'none' : 'members')}>
            <PeopleIcon />
            <span class="count">{members.length}</span>
          </button>
        )}
      </header>

      <nav class="rooms" aria-label="Rooms">
        <ul>
          {buffers.map((x) => (
            <li key={x.id}>
              <button class={`room${x === b ? ' active' : ''}${x.kind === 'channel' && !x.joined ? ' left' : ''}`} aria-current={x === b ? 'page' : undefined} onClick={() => go(x)}>
                <span class="name">{x.kind === 'server' ? 'Server' : x.name}</span>
                {x.mentions > 0 ? (
                  <span class="badge mention" aria-label={`${x.mentions} mentions`}>
                    {x.mentions}
                  </span>
                ) : x.unread > 0 ? (
                  <span class="badge" aria-label={`${x.unread} unread`}>
                    {x.unread}
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
        <JoinForm client={client} onDone={() => setDrawer('none')} />
        <div class="me">
          <Nick nick={client.nick} />
          <span class="status" aria-live="polite">{client.away ? 'You are away' : 'You are here'}</span>
          <button
            class="small away-toggle"
            onClick={() => client.send('AWAY', ...(client.away ? [] : ['away']))}
            aria-pressed={client.away}
            title={client.away ? 'Tell everyone you are back' : 'Tell everyone you are away'}
          >
            {client.away ? "I'm back" : 'Set away'}
          </button>
          <NotifyButton />
          <button class="small" onClick={onQuit}>
            Log out
          </button>
        </div>
      </nav>

      <main class="chat">
        <Banner client={client} />
        <Log client={client} buffer={b} />
        <Composer client={client} inputRef={inputRef} onQuit={onQuit} />
      </main>

      {b.kind === 'channel' && (
        <aside class="members" aria-label="People in this room">
          <h2>
            People <span class="muted">{members.length}</span>
          </h2>
          <ul>
            {members.map((m) => (
              <li key={m.nick} class={m.away === true ? 'away' : ''}>
                <button class="member" onClick={() => (client.isMe(m.nick) ? undefined : (openQuery(client, m.nick), setDrawer('none')))} title={m.away === true ? `${m.nick} is away` : `Message ${m.nick}`}>
                  <span class="prefix">{m.prefix.slice(0, 1)}</span>
                  <Nick nick={m.nick} />
                  {m.away === true && <span class="muted"> away</span>}
                </button>
              </li>
            ))}
          </ul>
        </aside>
      )}
      {drawer !== 'none' && <div class="scrim" onClick={() => setDrawer('none')} />}
      {client.searchResults !== null && <SearchResults client={client} onGo={go} />}
    </div>
    </Colours.Provider>
  );
}

function PeopleIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2 20c0-3.9 3.1-6.5 7-6.5s7 2.6 7 6.5z" />
      <circle cx="17" cy="9" r="2.8" opacity=".65" />
      <path d="M17 13.5c3 0 5 2.2 5 5.5h-4.6c-.2-2.2-1-4-2.4-5.3.6-.1 1.3-.2 2-.2z" opacity=".65" />
    </svg>
  );
}

function MenuIcon() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      <rect x="3" y="5" width="18" height="2.2" rx="1" />
      <rect x="3" y="11" width="18" height="2.2" rx="1" />
      <rect x="3" y="17" width="18" height="2.2" rx="1" />
    </svg>
  );
}

function NotifyButton() {
  const [perm, setPerm] = useState(typeof Notification === 'undefined' ? 'denied' : Notification.permission);
  if (perm !== 'default') return null;
  return (
    <button class="small" onClick={() => void Notification.requestPermission().then(setPerm)} title="Notify me when someone mentions me">
      Notify me
    </button>
  );
}

function JoinForm({ client, onDone }: { client: IrcClient; onDone: () => void }) {
  const [room, setRoom] = useState('');
  return (
    <form
      class="join-form"
      onSubmit={(e) => {
        e.preventDefault();
        const r = room.trim();
        if (r === '') return;
        joinAndFocus(client, client.isChannel(r) ? r : '#' + r);
        setRoom('');
        onDone();
      }}
    >
      <label class="sr" for="join-room">
        Join a room
      </label>
      <input id="join-room" placeholder="#room" value={room} autoCapitalize="off" spellcheck={false} onInput={(e) => setRoom(e.currentTarget.value)} />
      <button type="submit" class="small">
        Join
      </button>
    </form>
  );
}

/** The server wants a password (464): ask, then connect again with it. */
function PasswordPrompt({ client }: { client: IrcClient }) {
  const [pw, setPw] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // a remembered password that was refused is forgotten
    saveSession(PASSWORD_KEY, null);
    ref.current?.focus();
  }, []);
  return (
    <form
      class="banner password"
      role="alert"
      onSubmit={(e) => {
        e.preventDefault();
        if (pw === '') return;
        saveSession(PASSWORD_KEY, pw);
        client.submitPassword(pw);
      }}
    >
      <label for="server-password">{client.password === null ? 'This server needs a password.' : 'Wrong password, try again.'}</label>
      <input id="server-password" ref={ref} type="password" autoComplete="current-password" value={pw} onInput={(e) => setPw(e.currentTarget.value)} />
      <button type="submit" class="small">
        Connect
      </button>
    </form>
  );
}

function Banner({ client }: { client: IrcClient }) {
  const [, setTick] = useState(0);
  const tick = (): void => setTick((v) => v + 1);
  const waiting = client.state === 'disconnected' && client.retryAt !== null;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(tick, 1000);
    return () => clearInterval(t);
  }, [waiting]);
  if (client.state === 'connected') return null;
  if (client.passwordError !== null && client.state === 'disconnected') return <PasswordPrompt client={client} />;
  let text: string;
  if (waiting) text = `Disconnected. Reconnecting in ${Math.max(0, Math.ceil((client.retryAt! - Date.now()) / 1000))} s…`;
  else if (client.state === 'disconnected' || client.state === 'closed') text = 'Not connected';
  else text = 'Connecting…';
  return (
    <div class="banner" role="status">
      {text}
      {waiting && (
        <button class="small" onClick={() => client.reconnectNow()}>
          Retry now
        </button>
      )}
    </div>
  );
}

/**
 * Peer text as shown: formatting and control characters out, bidi controls as visible
 * marks (so "\u202egnp.exe" cannot pass for "exe.png"), links clickable (http/https
 * only; a new tab without referrer), isolated (<bdi>) so right-to-left text cannot
 * reorder what is around it.
 */
function Rich({ text }: { text: string }) {
  const segs = useMemo(() => displaySegments(text), [text]);
  return (
    <bdi>
      {segs.map((s, i) =>
        'bidi' in s ? (
          <span key={i} class="ctl" title={`hidden direction mark ${s.bidi} removed`}>
            {s.bidi}
          </span>
        ) : (
          linkify(s.text).map((l, j) =>
            l.href !== undefined ? (
              <a key={`${i}.${j}`} href={l.href} target="_blank" rel="noopener noreferrer nofollow">
                {l.text}
              </a>
            ) : (
              l.text
            ),
          )
        ),
      )}
    </bdi>
  );
}

/** The CSS class of a line's kind (.msg for a message, as before the shared model). */
function kindClass(l: Line): string {
  return l.kind === 'message' ? 'msg' : l.kind;
}

export function LineView({ l, where }: { l: Line; where?: string }) {
  const time = (
    <time dateTime={l.time.toISOString()} title={l.time.toLocaleString()}>
      {timeLabel(l.time.getTime())}
    </time>
  );
  const nick = l.nick ?? '';
  if (l.kind === 'message' || l.kind === 'notice') {
    return (
      <div class={`line ${kindClass(l)}${l.mention ? ' mention' : ''}${l.self ? ' self' : ''}${l.pending ? ' pending' : ''}`}>
        {time}
        {where !== undefined && <span class="where">{where}</span>}
        <Nick nick={nick} label={l.kind === 'notice' ? `-${nick}-` : nick} />
        <span class="text">
          <Rich text={l.text} />
        </span>
      </div>
    );
  }
  if (l.kind === 'action') {
    return (
      <div class={`line action${l.mention ? ' mention' : ''}${l.pending ? ' pending' : ''}`}>
        {time}
        {where !== undefined && <span class="where">{where}</span>}
        <span class="text">
          * <Nick nick={nick} /> <Rich text={l.text} />
        </span>
      </div>
    );
  }
  return (
    <div class={`line event ${l.kind}`}>
      {time}
      <span class="text">
        <Rich text={l.text} />
      </span>
    </div>
  );
}

/** A run of replayed joins, parts and quits as one line; the names on request. */
function EventRun({ lines }: { lines: readonly Line[] }) {
  const [open, setOpen] = useState(false);
  const first = lines[0]!;
  if (open) return <>{lines.map((l) => <LineView key={l.id} l={l} />)}</>;
  return (
    <div class="line event run">
      <time dateTime={first.time.toISOString()} title={first.time.toLocaleString()}>
        {timeLabel(first.time.getTime())}
      </time>
      <span class="text">
        <button class="link" aria-expanded={false} onClick={() => setOpen(true)}>
          {summarizeRun(lines)}
        </button>
      </span>
    </div>
  );
}

function summarizeRun(lines: readonly Line[]): string {
  const n = (kind: string): number => lines.filter((l) => l.kind === kind).length;
  const parts: string[] = [];
  const j = n('join');
  const p = n('part') + n('kick');
  const q = n('quit');
  const k = n('nick');
  if (j > 0) parts.push(`${j} joined`);
  if (p > 0) parts.push(`${p} left`);
  if (q > 0) parts.push(`${q} quit`);
  if (k > 0) parts.push(`${k} changed nick`);
  return `${parts.join(', ')} (show)`;
}

function Log({ client, buffer }: { client: IrcClient; buffer: Buffer }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstId = useRef<{ key: number; id: number; height: number } | null>(null);
  // the "--- N earlier messages ---" marker is for line-by-line terminals: paging shows it here
  const lines = buffer.lines.filter((l) => !l.marker);
  const key = buffer.id;

  // Keep the view pinned to the bottom unless the reader scrolled up; keep the position
  // when older lines are prepended.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const prev = firstId.current;
    const first = lines[0]?.id ?? 0;
    if (prev !== null && prev.key === key && prev.id !== first && !atBottom.current) {
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (atBottom.current || prev === null || prev.key !== key) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    }
    firstId.current = { key, id: first, height: el.scrollHeight };
  });

  const canLoad = client.canLoadOlder(buffer);
  // History is fetched on first view of a window with nothing loaded yet.
  useEffect(() => {
    if (canLoad && !buffer.lines.some((l) => l.nick !== undefined && l.kind !== 'join')) client.loadOlder(buffer);
  }, [key, canLoad, client.state]);

  return (
    <div
      class="log"
      ref={ref}
      role="log"
      aria-live="polite"
      aria-label={`Messages in ${buffer.kind === 'server' ? 'server window' : buffer.name}`}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 30;
        if (el.scrollTop < 60 && canLoad) client.loadOlder(buffer);
      }}
    >
      {canLoad && (
        <button class="older small" disabled={buffer.historyLoading > 0} onClick={() => client.loadOlder(buffer)}>
          {buffer.historyLoading > 0 ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {buffer.historyComplete && buffer.kind !== 'server' && (buffer.kind === 'channel' || buffer.historySeen) && <p class="muted start">Start of history</p>}
      {collapseEvents(lines).map((x) => ('run' in x ? <EventRun key={x.run[0]!.id} lines={x.run} /> : <LineView key={x.id} l={x} />))}
    </div>
  );
}

function Composer({ client, inputRef, onQuit }: { client: IrcClient; inputRef: { current: HTMLInputElement | null }; onQuit: () => void }) {
  const [text, setText] = useState('');
  const sent = useRef<string[]>([]);
  const recall = useRef(-1);
  const b = client.active;
  const placeholder = b.kind === 'server' ? 'Type /join #room or /help' : `Message ${b.name}`;
  const submit = (): void => {
    const t = text;
    if (t.trim() === '') return;
    sent.current.push(t);
    if (sent.current.length > 50) sent.current.shift();
    recall.current = -1;
    setText('');
    const r = runInput(client, t);
    if (r.ui === 'quit') onQuit();
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label class="sr" for="composer">
        {placeholder}
      </label>
      <input
        id="composer"
        ref={inputRef}
        value={text}
        placeholder={placeholder}
        autoComplete="off"
        enterKeyHint="send"
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          const el = e.currentTarget;
          if (e.key === 'Tab' && !e.shiftKey && text !== '') {
            const r = complete(client, text, el.selectionStart ?? text.length);
            if (r !== null) {
              e.preventDefault();
              setText(r.text);
              requestAnimationFrame(() => el.setSelectionRange(r.cursor, r.cursor));
            }
          } else if (e.key === 'ArrowUp' && (text === '' || recall.current !== -1) && sent.current.length > 0) {
            e.preventDefault();
            recall.current = recall.current === -1 ? sent.current.length - 1 : Math.max(0, recall.current - 1);
            setText(sent.current[recall.current] ?? '');
          } else if (e.key === 'ArrowDown' && recall.current !== -1) {
            e.preventDefault();
            recall.current++;
            if (recall.current >= sent.current.length) {
              recall.current = -1;
              setText('');
            } else setText(sent.current[recall.current] ?? '');
          }
        }}
      />
      <button type="submit" class="primary" aria-label="Send">
        Send
      </button>
    </form>
  );
}

function SearchBox({ client }: { client: IrcClient }) {
  const [q, setQ] = useState('');
  const b = client.active;
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim() !== '') client.search(b.kind === 'channel' ? b.name : null, q.trim());
      }}
    >
      <label class="sr" for="search">
        Search messages
      </label>
      <input id="search" type="search" placeholder="Search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
    </form>
  );
}

function SearchResults({ client, onGo }: { client: IrcClient; onGo: (b: Buffer) => void }) {
  const s = client.searchResults!;
  return (
    <section class="results" aria-label="Search results">
      <header>
        <h2>
          Results for “{s.query}” {s.pending ? '…' : `(${s.results.length})`}
        </h2>
        <button class="small" onClick={() => client.closeSearch()}>
          Close
        </button>
      </header>
      <div class="list">
        {!s.pending && s.results.length === 0 && <p class="muted">Nothing found</p>}
        {s.results.map((l) => (
          <button
            key={l.id}
            class="result"
            onClick={() => {
              const to = client.find(l.where ?? '');
              client.closeSearch();
              if (to !== undefined) onGo(to);
            }}
          >
            <LineView l={l} {...(l.where !== undefined ? { where: l.where } : {})} />
          </button>
        ))}
      </div>
    </section>
  );
}

