import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_APPS, PER_APP, RECENT_MS, RefusedOrigins } from './refused-origins.js';

describe('RefusedOrigins', () => {
  it('Should count refusals per app and origin, most recent first', () => {
    let now = 1_000;
    const r = new RefusedOrigins(() => now);
    r.add('a', 'https://one.example');
    now += 10;
    r.add('a', 'https://two.example');
    now += 10;
    r.add('a', 'https://one.example');
    r.add('b', 'https://three.example');
    assert.deepEqual(r.list('a'), [
      { origin: 'https://one.example', count: 2, firstAt: 1_000, lastAt: 1_020 },
      { origin: 'https://two.example', count: 1, firstAt: 1_010, lastAt: 1_010 },
    ]);
    assert.deepEqual(
      r.list('b').map((x) => x.origin),
      ['https://three.example'],
    );
  });

  it('Should keep at most PER_APP origins per app and MAX_APPS apps, dropping the least recent', () => {
    let now = 0;
    const r = new RefusedOrigins(() => ++now);
    for (let i = 0; i < PER_APP + 5; i++) r.add('a', `https://s${i}.example`);
    const list = r.list('a');
    assert.equal(list.length, PER_APP);
    assert.equal(list[0]!.origin, `https://s${PER_APP + 4}.example`);
    assert.ok(!list.some((x) => x.origin === 'https://s0.example'));
    for (let i = 0; i < MAX_APPS + 1; i++) r.add(`app${i}`, 'https://x.example');
    assert.deepEqual(r.list('a'), [], 'the oldest app went first');
    assert.equal(r.list(`app${MAX_APPS}`).length, 1);
  });

  it('Should leave out what is allowed now, what is forgotten, and what is no longer recent', () => {
    let now = 0;
    const r = new RefusedOrigins(() => now);
    r.add('a', 'https://one.example');
    r.add('a', 'https://two.example');
    r.add('a', 'null');
    r.add('a', `https://${'x'.repeat(400)}.example`);
    assert.deepEqual(
      r.list('a', ['https://one.example']).map((x) => x.origin),
      ['https://two.example'],
    );
    r.forget('a', 'https://two.example');
    assert.deepEqual(
      r.list('a').map((x) => x.origin),
      ['https://one.example'],
    );
    now = RECENT_MS + 1;
    assert.deepEqual(r.list('a'), []);
  });
});
