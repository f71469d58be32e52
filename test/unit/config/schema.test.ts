import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_SCHEMA, ConfigError, DEFAULT_CONFIG, defaultServerName, describeValue, validateConfig } from '../../../src/config/schema.js';

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

/** every key path of the defaults: sections are descended into, everything else is a leaf */
function keyPaths(obj: Record<string, unknown>, prefix = ''): { path: string[]; section: boolean }[] {
  const out: { path: string[]; section: boolean }[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix === '' ? [k] : [...prefix.split('.'), k];
    const section = v !== null && typeof v === 'object' && !Array.isArray(v);
    out.push({ path, section });
    if (section) out.push(...keyPaths(v as Record<string, unknown>, path.join('.')));
  }
  return out;
}

function nest(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value);
}

test('every key of DEFAULT_CONFIG is validated: a wrong value is refused, naming the key', () => {
  assert.deepEqual(Object.keys(CONFIG_SCHEMA.shape).sort(), Object.keys(DEFAULT_CONFIG).sort(), 'one schema entry per top-level key');
  const paths = keyPaths(DEFAULT_CONFIG as unknown as Record<string, unknown>);
  assert.ok(paths.length > 60, `found ${paths.length} keys`);
  for (const { path, section } of paths) {
    const name = path.join('.');
    // no leaf takes an object; no section takes a number
    const wrong = section ? 5 : { wrong: true };
    const p = problems(nest(path, wrong));
    assert.equal(p.length, 1, `${name}: ${p.join('; ')}`);
    assert.ok(p[0]!.startsWith(`${name}: expected `), `${name} is checked: ${p[0]}`);
    assert.ok(p[0]!.endsWith(`found ${describeValue(wrong)}`), `${name} says what was found: ${p[0]}`);
  }
});

test('an unknown key is refused with a suggestion, at any depth, and changes nothing', () => {
  assert.deepEqual(problems({ flood: { linesPerSec: 2 } }), ["unknown key 'flood.linesPerSec' in flood (did you mean 'flood.linesPerSecond'?)"]);
  assert.deepEqual(problems({ operators: [{ name: 'root', pasword: 'pw', password: 'pw' }] }), [
    "unknown key 'operators[0].pasword' in operators[0] (did you mean 'operators[0].password'?)",
  ]);
  assert.deepEqual(problems({ webb: {}, port: 'x' }), ["unknown key 'webb' (did you mean 'web'?)", 'port: expected an integer from 0 to 65535, found "x" (string)']);
  // a JSON "__proto__" key is a key like any other, not a prototype
  assert.deepEqual(problems(JSON.parse('{"__proto__": {"port": 1}}')), ["unknown key '__proto__'"]);
  assert.deepEqual(problems(JSON.parse('{"limits": {"__proto__": {"x": 1}}}')), ["unknown key 'limits.__proto__' in limits"]);
});

test('lists: length cap, element paths, normalised origins', () => {
  assert.deepEqual(problems({ web: { allowedOrigins: Array(1001).fill('*') } }), ['web.allowedOrigins: expected at most 1000 entries, found 1001']);
  assert.match(problems({ web: { allowedOrigins: ['*', 'https://x.org/path'] } })[0]!, /^web\.allowedOrigins\[1\]: expected an origin like .*found "https:\/\/x\.org\/path" \(string\)$/);
  assert.match(problems({ allow: 'x' })[0]!, /^allow: expected a list of CIDR string like .* values, found "x" \(string\)$/);
  assert.deepEqual(validateConfig({ web: { allowedOrigins: ['HTTPS://Chat.Example.org:443'] } }).web.allowedOrigins, ['https://chat.example.org']);
  assert.match(problems({ allow: ['10.0.0.0/33'] })[0]!, /^allow\[0\]: expected a CIDR .*found "10\.0\.0\.0\/33" \(string\) \(.+\)$/, 'the parser says why');
});
