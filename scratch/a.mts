import { runServe } from '../src/cli/serve.js';
import { pino } from 'pino';
import tls from 'node:tls';
import { mkdtempSync } from 'node:fs';
const data = mkdtempSync('/tmp/tlssmoke/d-');
const t0 = Date.now();
const h = await runServe(['--host','127.0.0.1','--port','0','--data',data,'--name','test.local'], {}, { signals:false, logger: pino({level:'debug'}) });
console.log('started in', Date.now()-t0, h.tls?.credentials.fingerprint);
const s = tls.connect({ port: h.port, host: '127.0.0.1', ca: h.tls!.credentials.cert, servername: 'localhost' }, () => {
  console.log('secure', s.authorized, s.authorizationError);
  s.write('NICK bob\r\nUSER b 0 * :B\r\n');
});
s.on('data', d => { process.stdout.write(d.toString()); if (d.toString().includes(' 376 ')||d.toString().includes(' 422 ')) { s.write('WHOIS bob\r\n'); setTimeout(async()=>{s.destroy(); await h.close(); console.log('conn', h.listener.connectionCount)}, 500);} });
s.on('error', e => console.log('err', e));
