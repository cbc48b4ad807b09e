import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newApiKey, parseApiKey, safeEqual, sha256 } from './keys.js';

describe('API keys', () => {
  it('Should parse every key it makes, whatever characters its id and secret draw', () => {
    for (let i = 0; i < 5000; i++) {
      const k = newApiKey();
      assert.equal(parseApiKey(k.key)?.id, k.id);
      assert.equal(k.hash, sha256(k.key));
      assert.equal(k.prefix, `okk_${k.id}`);
    }
  });
  it('Should refuse anything not shaped like a key', () => {
    for (const bad of [
      '',
      'okk_',
      'okk_short_secret',
      `okk_${'a'.repeat(12)}_${'b'.repeat(31)}`,
      `xyz_${'a'.repeat(12)}_${'b'.repeat(32)}`,
      `okk_${'a'.repeat(12)}_${'b'.repeat(32)}\n`,
    ]) {
      assert.equal(parseApiKey(bad), null, JSON.stringify(bad));
    }
  });
  it('Should compare secrets by value only', () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abd'), false);
    assert.equal(safeEqual('abc', 'abcd'), false);
    assert.equal(safeEqual('', ''), true);
  });
});
