// pure node: net server vs tls.Server vs TLSSocket(wrap) idle memory per conn
import net from 'node:net'; import tls from 'node:tls'; import { readFileSync, readdirSync } from 'node:fs';
const d = '/tmp/tlssmoke/' + readdirSync('/tmp/tlssmoke').find(x => x.startsWith('d-'));
const cert = readFileSync(d + '/tls-cert.pem', 'utf8'), key = readFileSync(d + '/tls-key.pem', 'utf8');
const ctx = tls.createSecureContext({ cert, key });
const mode = process.argv[2]; const N = 2000;
const keep = [];
let srv;
if (mode === 'net') srv = net.createServer((s) => { keep.push(s); s.on('data', () => {}); });
if (mode === 'tls') srv = tls.createServer({ cert, key }, (s) => { keep.push(s); s.on('data', () => {}); });
if (mode === 'wrap') srv = net.createServer((s) => { s.once('data', (c) => { s.pause(); s.unshift(c); const t = new tls.TLSSocket(s, { isServer: true, secureContext: ctx }); keep.push(t); t.on('data', () => {}); }); });
await new Promise(r => srv.listen(0, '127.0.0.1', r));
const port = srv.address().port;
const rss = () => process.memoryUsage().rss;
global.gc?.(); const r0 = rss();
const clients = [];
for (let i = 0; i < N; i++) {
  await new Promise((res) => { const c = mode === 'net' ? net.connect(port, '127.0.0.1', res) : tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, res); clients.push(c); if (mode !== 'net') c.write('x'); });
}
await new Promise(r => setTimeout(r, 1000)); global.gc?.();
console.log(mode, ((rss() - r0) / N / 1024).toFixed(1), 'KB/conn (server+client in one process)');
process.exit(0);
