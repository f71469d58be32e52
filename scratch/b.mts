import net from 'node:net';
import tls from 'node:tls';
import { readFileSync, readdirSync } from 'node:fs';
const d = '/tmp/tlssmoke/' + readdirSync('/tmp/tlssmoke').find(x => x.startsWith('d-'));
const cert = readFileSync(d + '/tls-cert.pem', 'utf8'), key = readFileSync(d + '/tls-key.pem', 'utf8');
const ctx = tls.createSecureContext({ cert, key });
const srv = net.createServer((sock) => {
  const onData = (c: Buffer) => {
    sock.off('data', onData);
    if (process.argv[2] === 'pause') sock.pause();
    sock.unshift(c);
    const t = new tls.TLSSocket(sock, { isServer: true, secureContext: ctx });
    t.on('secure', () => { console.log('server secure'); t.write('hi\r\n'); });
    t.on('error', (e) => console.log('server err', e.message));
  };
  sock.on('data', onData);
});
srv.listen(0, '127.0.0.1', () => {
  const port = (srv.address() as net.AddressInfo).port;
  const c = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => console.log('client secure'));
  c.on('data', (d) => { console.log('client got', d.toString()); process.exit(0); });
  setTimeout(() => { console.log('timeout'); process.exit(1); }, 2000);
});
