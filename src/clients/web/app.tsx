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
import { useEffect, useRef, useState } from 'preact/hooks';
import { isValidNick } from '../../protocol/index.js';
import { HISTORY_PAGE, IrcClient } from '../shared/irc-client.js';
import type { ChatBuffer as Buffer, ChatLine as Line } from '../shared/buffer.js';
import { pageNodes } from './nodes.js';
import { openQuery, orderedBuffers, sortedMembers, wantedChannels } from './commands.js';
import { roomColours } from './format.js';
import { typingText } from '../shared/client-tags.js';
import { Colours, Log, Nick, plainText, SearchResults } from './log.js';
import { AdminClaim } from './admin-claim.js';
import { Banner, Composer, JoinForm, Login, MenuIcon, NotifyButton, PeopleIcon, SearchBox } from './panels.js';
import { AccountPanel, attachAccount, deviceLoginOptions, loadDevice, logOutDevice } from './account.js';
import { ProtocolPanel, wireLog } from './protocol.js';
import { Uploads } from './upload.js';
import { IGNORE_KEY, load, loadSession, NICK_KEY, PASSWORD_KEY, ROOMS_KEY, save, savedIgnores, savedRooms, saveSession } from './storage.js';

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
    // this page's node, then the others of its server (failover when it dies)
    const nodes = pageNodes(location);
    const c = new IrcClient({
      nick,
      realname: 'tincan web',
      serverLabel: location.host,
      transport: nodes.transport,
      channels: savedRooms(),
      ignored: savedIgnores(),
      onIgnoredChange: (nicks) => save(IGNORE_KEY, JSON.stringify(nicks)),
      ...(password !== null ? { password } : {}),
      ...deviceLoginOptions(),
      maxLines: MAX_LINES,
      historyOnJoin: HISTORY_PAGE,
      extraCaps: ['draft/event-playback', 'chghost', 'setname'],
      searchLines: false,
      whoOnJoin: true,
    });
    c.on('change', rerender);
    nodes.attach(c);
    attachAccount(c);
    wireLog(c); // "Show protocol" has everything from the first line
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
    // a device logged in (account.tsx) comes back under its account's name
    const nick = params.get('nick') ?? loadDevice()?.account ?? load(NICK_KEY);
    if (nick !== null && isValidNick(nick, 30) && params.get('pick') === null) start(nick);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (client === null) return <Login onStart={start} />;
  return (
    <Chat
      client={client}
      onQuit={async () => {
        // "Log out" also logs this device out of its account (the token is revoked)
        if (loadDevice() !== null) await logOutDevice(client);
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

type Drawer = 'none' | 'rooms' | 'members';

function Chat({ client, onQuit }: { client: IrcClient; onQuit: () => void }) {
  const [drawer, setDrawer] = useState<Drawer>('none');
  const [protocol, setProtocol] = useState(false);
  const b = client.active;
  const buffers = orderedBuffers(client);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  // the message the next one answers (+draft/reply), in the window it was picked in
  const [replying, setReplying] = useState<{ buffer: number; line: Line } | null>(null);
  const reply = replying !== null && replying.buffer === b.id ? replying.line : null;

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
        <SecureBadge />
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
        <AdminClaim client={client} />
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
          <AccountPanel client={client} onLoggedOut={onQuit} />
          <button class="small show-protocol" aria-pressed={protocol} onClick={() => setProtocol(!protocol)}>
            {protocol ? 'Hide protocol' : 'Show protocol'}
          </button>
          <button class="small" onClick={onQuit}>
            Log out
          </button>
        </div>
      </nav>

      <main class="chat">
        <Banner client={client} />
        <Log
          client={client}
          buffer={b}
          onReply={(l) => {
            setReplying({ buffer: b.id, line: l });
            inputRef.current?.focus();
          }}
        />
        <p class="typing" aria-live="polite">
          {typingText(b.typing.list())}
        </p>
        {protocol && <ProtocolPanel client={client} onClose={() => setProtocol(false)} />}
        <Uploads client={client} />
        <Composer client={client} inputRef={inputRef} onQuit={onQuit} reply={reply} onReplyDone={() => setReplying(null)} />
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

/** Whether this page (and so its WebSocket) is encrypted: the page's own scheme decides. */
function SecureBadge() {
  const secure = typeof location !== 'undefined' && location.protocol === 'https:';
  return (
    <span
      class={`secure ${secure ? 'on' : 'off'}`}
      role="status"
      title={secure ? 'Encrypted (TLS): others on the network cannot read this chat' : 'Not encrypted: others on this network can read it. Open the https:// address to encrypt.'}
    >
      {secure ? '🔒 Encrypted' : 'Not encrypted'}
    </span>
  );
}
