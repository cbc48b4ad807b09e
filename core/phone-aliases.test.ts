import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalSpelling, samePerson, spellingsOf } from './phone-aliases.js';
import { normalizeInternational, normalizeTyped } from './phone.js';

describe('spellings of one number (core/phone-aliases.ts)', () => {
  const cases: [string, string, string[]][] = [
    // [a spelling, its canonical spelling, every spelling]
    ['5215512345678', '525512345678', ['525512345678', '5215512345678']],
    ['525512345678', '525512345678', ['525512345678', '5215512345678']],
    ['553187654321', '5531987654321', ['5531987654321', '553187654321']],
    ['5531987654321', '5531987654321', ['5531987654321', '553187654321']],
    ['551187654321', '5511987654321', ['5511987654321', '551187654321']],
    ['541112345678', '5491112345678', ['5491112345678', '541112345678']],
    ['5491112345678', '5491112345678', ['5491112345678', '541112345678']],
    // A Brazilian landline (8 digits from 2 to 5) is someone else's number than 9 + those digits.
    ['553132345678', '553132345678', ['553132345678']],
    ['5531932345678', '5531932345678', ['5531932345678']],
    ['14155550123', '14155550123', ['14155550123']],
    ['4915123456789', '4915123456789', ['4915123456789']],
  ];
  for (const [spelling, canonical, all] of cases) {
    it(`Should spell ${spelling} canonically as ${canonical}, with ${all.length - 1} alias(es)`, () => {
      assert.equal(canonicalSpelling(spelling), canonical);
      assert.deepEqual(spellingsOf(spelling), all);
      for (const s of all) assert.ok(samePerson(s, spelling));
    });
  }
  it('Should never link two different numbers', () => {
    assert.equal(samePerson('525512345678', '525512345679'), false);
    assert.equal(samePerson('553132345678', '5531932345678'), false);
  });
});

describe('digits a program sends are international', () => {
  const cases: [string, string | null][] = [
    ['4915123456789', '4915123456789'],
    ['+4915123456789', '4915123456789'],
    ['393123456789', '393123456789'],
    ['6281234567890', '6281234567890'],
    // A WhatsApp ID that is no valid number names its person's canonical number.
    ['5215512345678', '525512345678'],
    ['+52 1 55 1234 5678', '525512345678'],
    ['553187654321', '5531987654321'],
    ['1234', null],
    ['4915123456789+', null],
  ];
  for (const [input, want] of cases) {
    it(`Should read "${input}" as ${want ?? 'invalid'}`, () => {
      assert.deepEqual(
        normalizeInternational(input),
        want ? { ok: true, phone: want } : { ok: false, reason: 'invalid_phone' },
      );
    });
  }
});

describe('what a person types keeps its country', () => {
  const cases: [string, string | null, string | 'country_required' | null][] = [
    ['812 3456 7890', null, 'country_required'],
    ['812 3456 7890', 'ID', '6281234567890'],
    ['0812 3456 7890', 'ID', '6281234567890'],
    ['+62 812 3456 7890', null, '6281234567890'],
    ['0044 7911 123456', null, '447911123456'],
    // Legacy forms people still type.
    ['+521 55 1234 5678', 'MX', '525512345678'],
    ['+521 55 1234 5678', null, '525512345678'],
    ['1 55 1234 5678', 'MX', '525512345678'],
    ['(11) 98765-4321', 'BR', '5511987654321'],
    ['(31) 8765-4321', 'BR', '5531987654321'],
    ['011 15 1234-5678', 'AR', '5491112345678'],
    // Digits of another country typed without their `+`: asked, never read as that country.
    ['14155550123', 'DE', 'country_required'],
    ['14155550123', null, 'country_required'],
    ['12', null, null],
    ['not a number', 'DE', null],
  ];
  for (const [input, country, want] of cases) {
    it(`Should read "${input}"${country ? ` in ${country}` : ' with no country'} as ${want ?? 'invalid'}`, () => {
      const r = normalizeTyped(input, country);
      if (want === 'country_required') assert.deepEqual(r, { ok: false, reason: 'country_required' });
      else assert.deepEqual(r, want ? { ok: true, phone: want } : { ok: false, reason: 'invalid_phone' });
    });
  }
});
