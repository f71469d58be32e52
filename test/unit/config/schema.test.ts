import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_CONFIG, defaultServerName, describeValue, validateConfig } from '../../../src/config/schema.js';

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('expected validateConfig to throw');
}

test('defaults are valid, complete and deep-frozen', () => {
  const c = validateConfig({});
  assert.deepEqual(c, DEFAULT_CONFIG);
  assert.equal(c.port, 4444);
  assert.equal(c.host, '::');
  assert.equal(c.public, false);
  assert.equal(c.defaultChannel, '#lobby');
  assert.equal(c.limits.sendQBytes, 1048576);
  assert.equal(c.limits.maxLineBytes, 8703);
  assert.ok(Object.isFrozen(DEFAULT_CONFIG.limits));
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.limits) && Object.isFrozen(c.allow));
  assert.throws(() => {
    (c.limits as { nickLength: number }).nickLength = 1;
  }, TypeError);
});

test('deep merge: nested keys override only themselves; arrays replace', () => {
  const c = validateConfig({ limits: { nickLength: 16 }, allow: ['203.0.113.0/24'], motd: ['hi'] });
  assert.equal(c.limits.nickLength, 16);
  assert.equal(c.limits.channelLength, DEFAULT_CONFIG.limits.channelLength);
  assert.deepEqual(c.allow, ['203.0.113.0/24']);
  assert.deepEqual(c.motd, ['hi']);
  const d = validateConfig({ flood: { enabled: false } }, c);
  assert.equal(d.limits.nickLength, 16, 'merges over the given base');
  assert.equal(d.flood.enabled, false);
  assert.equal(d.flood.burst, DEFAULT_CONFIG.flood.burst);
});

test('null where allowed; motd as a single string is split into lines', () => {
  const c = validateConfig({ password: 'sekrit', motd: null });
  assert.equal(c.password, 'sekrit');
  assert.equal(c.motd, null);
  assert.equal(validateConfig({ password: null }, c).password, null);
  assert.deepEqual(validateConfig({ motd: 'line one\nline two\n' }).motd, ['line one', 'line two']);
});

test('error messages name the key path, the expectation and what was found', () => {
  const p = problems({ limits: { nickLength: 'abc' } });
  assert.deepEqual(p, ['limits.nickLength: expected an integer from 1 to 255, found "abc" (string)']);
  assert.deepEqual(problems({ port: 70000 }), ['port: expected an integer from 0 to 65535, found 70000 (number)']);
  assert.deepEqual(problems({ public: 'yes' }), ['public: expected true or false, found "yes" (string)']);
  assert.deepEqual(problems({ casemapping: 'utf8' }), ['casemapping: expected one of "rfc1459", "ascii", found "utf8" (string)']);
  assert.deepEqual(problems({ limits: 5 }), ['limits: expected an object (key: value pairs), found 5 (number)']);
  assert.match(problems({ serverName: 'nodot' })[0]!, /^serverName: expected a host name containing a dot.*found "nodot" \(string\)$/);
  assert.match(problems({ allow: ['10.0.0.0/8', 'x/1'] })[0]!, /^allow\[1\]: expected a CIDR .*found "x\/1" \(string\)/);
  assert.match(problems({ defaultChannel: 'lobby' })[0]!, /^defaultChannel: expected a channel name starting with "#"/);
  assert.match(problems({ operators: [{ name: 'root' }] })[0]!, /^operators\[0\]\.password: missing/);
  assert.match(problems({ flood: { linesPerSecond: -1 } })[0]!, /^flood\.linesPerSecond: expected a number from/);
  assert.match(problems({ timeouts: { pingTimeout: null } })[0]!, /^timeouts\.pingTimeout: expected .* found null$/);
});

test('every problem is listed at once, in the thrown message too', () => {
  try {
    validateConfig({ port: 'x', limits: { nickLength: 0, topicLength: 1.5 }, logLevel: 'loud' });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 4);
    for (const key of ['port:', 'limits.nickLength:', 'limits.topicLength:', 'logLevel:']) {
      assert.ok(e.message.includes(key), `message mentions ${key}: ${e.message}`);
    }
  }
});

test('unknown keys are errors, with suggestions', () => {
  assert.deepEqual(problems({ limts: {} }), ["unknown key 'limts' (did you mean 'limits'?)"]);
  assert.deepEqual(problems({ limits: { nicklength: 9 } }), [
    "unknown key 'limits.nicklength' in limits (did you mean 'limits.nickLength'?)",
  ]);
  assert.deepEqual(problems({ zzzzzzzz: 1 }), ["unknown key 'zzzzzzzz'"]);
});

test('operators get default hosts; cross-field defaultChannel length check', () => {
  const c = validateConfig({ operators: [{ name: 'root', password: 'pw' }] });
  assert.deepEqual(c.operators, [{ name: 'root', password: 'pw', hosts: [] }]);
  assert.match(problems({ defaultChannel: '#' + 'a'.repeat(60) })[0]!, /limits\.channelLength \(50\)/);
  assert.equal(validateConfig({ defaultChannel: '' }).defaultChannel, '');
});

test('the whole config must be an object', () => {
  assert.match(problems([1, 2])[0]!, /^configuration: expected an object/);
  assert.deepEqual(validateConfig(null), DEFAULT_CONFIG);
});

test('defaultServerName sanitises the host name', () => {
  assert.equal(defaultServerName('My_Laptop.fritz.box'), 'my-laptop.local');
  assert.equal(defaultServerName('a1b2c3'), 'a1b2c3.local');
  assert.equal(defaultServerName(''), 'tincan.local');
  assert.equal(defaultServerName('localhost'), 'tincan.local');
  assert.equal(defaultServerName('___'), 'tincan.local');
  assert.doesNotThrow(() => validateConfig({ serverName: defaultServerName() }));
});

test('describeValue', () => {
  assert.equal(describeValue('abc'), '"abc" (string)');
  assert.equal(describeValue(null), 'null');
  assert.equal(describeValue([1]), '[1] (array)');
  assert.equal(describeValue({ a: 1 }), '{"a":1} (object)');
});
