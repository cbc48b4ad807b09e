import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inLanes } from './lanes.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('inLanes', () => {
  it('Should keep each key’s items in order while running different keys at once, up to the limit', async () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3', 'd1', 'e1'];
    const done: string[] = [];
    let running = 0;
    let most = 0;
    await inLanes(
      items,
      (s) => s[0]!,
      3,
      async (s) => {
        most = Math.max(most, ++running);
        await tick();
        done.push(s);
        running--;
        return 'next';
      },
    );
    assert.equal(done.length, items.length);
    assert.equal(most, 3);
    for (const k of ['a', 'b']) {
      const seen = done.filter((s) => s[0] === k);
      assert.deepEqual(seen, [...seen].sort(), k);
    }
  });

  it('Should start nothing more once an item says stop', async () => {
    const done: number[] = [];
    await inLanes(
      [1, 2, 3, 4, 5, 6],
      (n) => String(n),
      2,
      async (n) => {
        await tick();
        done.push(n);
        return n === 1 ? 'stop' : 'next';
      },
    );
    assert.deepEqual(done, [1, 2]);
  });

  it('Should do nothing with no items', async () => {
    let calls = 0;
    await inLanes(
      [],
      () => '',
      4,
      async () => (calls++, 'next'),
    );
    assert.equal(calls, 0);
  });
});
