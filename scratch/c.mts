import net from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { runServe } from '../src/cli/serve.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
const data = mkdtempSync('/tmp/tlssmoke/e-');
writeFileSync(data + '/c.json', JSON.stringify({ storage: 'memory', tls: { handshakeTimeout: 0.5 } }));
const h = await runServe(['--host','127.0.0.1','--port','0','--data',data,'--config',data+'/c.json'], {}, { signals:false, logger: pino({level:'silent'}) });
for (const bytes of [Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]), Buffer.from('GARBAGEGARBAGE\r\n')]), Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])]) {
  const s = net.connect({ port: h.port, host: '127.0.0.1' });
  s.on('error', (e) => console.log('err', e.message));
  s.on('data', (d) => console.log('data', d));
  s.on('end', () => console.log('end'));
  await once(s, 'connect');
  s.write(bytes);
  const t0 = Date.now();
  const r = await Promise.race([once(s, 'close').then(() => 'closed'), new Promise(r => setTimeout(() => r('not closed'), 2000))]);
  console.log(r, Date.now() - t0, 'count', h.listener.connectionCount);
  s.destroy();
}
await h.close();
