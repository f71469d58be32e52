// With accounts, admin is an account flag that lasts: claiming the join card's code while
// logged in keeps admin on the account, and every later login (any session) is admin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../../helpers/harness.js';
import { registeredClient, saslLogin, waitLine } from './util.js';

test('a code claimed while logged in makes the account admin; the next login is admin again, a stranger is not', async () => {
  const h = harness({ history: { enabled: false } });
  try {
    const teacher = await registeredClient(h, 'teacher', 'teacher password');
    await registeredClient(h, 'student', 'student password');
    const code = h.server.admin.claim.issue(60)!;
    teacher.recv('CLAIM ' + code);
    await waitLine(teacher, /Your account teacher keeps admin/);
    assert.deepEqual(h.server.accounts.get('teacher')!.flags, ['admin']);
    assert.deepEqual((await h.server.accounts.store.getAccount('teacher'))!.flags, ['admin'], 'stored, so it survives a restart');
    teacher.recv('QUIT');
    const again = await saslLogin(h, 'teacher', 'teacher', 'teacher password');
    const s = [...h.server.sessions].find((x) => x.conn === (again as unknown))!;
    assert.equal(s.admin, true, 'logging in to the flagged account makes the session admin');
    const other = await saslLogin(h, 'student', 'student', 'student password');
    const o = [...h.server.sessions].find((x) => x.conn === (other as unknown))!;
    assert.equal(o.admin, false);
  } finally {
    await h.close();
  }
});
