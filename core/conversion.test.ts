import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conversions, rate, withRates } from './conversion.js';

describe('rate', () => {
  it('Should divide, and give null rather than NaN or Infinity when there is nothing to divide by', () => {
    const cases: [number, number, number | null][] = [
      [5, 20, 0.25],
      [0, 20, 0],
      [20, 20, 1],
      [30, 20, 1.5], // more consents than counted views: shown as it is
      [0, 0, null],
      [3, 0, null],
      [Number.NaN, 4, null],
    ];
    for (const [part, whole, want] of cases) assert.equal(rate(part, whole), want, `${part} / ${whole}`);
  });

  it('Should work out both rates of one set of counts', () => {
    assert.deepEqual(withRates({ views: 40, consents: 10, verified: 4 }), {
      views: 40,
      consents: 10,
      verified: 4,
      consentRate: 0.25,
      verifiedRate: 0.4,
    });
    // The message mechanisms have no views; nothing at all has no rate either.
    assert.deepEqual(withRates({ views: 0, consents: 3, verified: 3 }), {
      views: 0,
      consents: 3,
      verified: 3,
      consentRate: null,
      verifiedRate: 1,
    });
    assert.deepEqual(withRates({ views: 0, consents: 0, verified: 0 }), {
      views: 0,
      consents: 0,
      verified: 0,
      consentRate: null,
      verifiedRate: null,
    });
  });
});

describe('conversions', () => {
  const rows = [
    { via: 'qr', campaign: 'poster', views: 10, consents: 2, verified: 1 },
    { via: 'qr', campaign: '', views: 10, consents: 3, verified: 0 },
    { via: 'widget', campaign: 'poster', views: 30, consents: 5, verified: 5 },
    { via: 'sms', campaign: '', views: 0, consents: 4, verified: 4 },
  ];

  it('Should add up each mechanism, busiest first', () => {
    assert.deepEqual(
      conversions(rows, (r) => r.via),
      [
        { key: 'widget', views: 30, consents: 5, verified: 5, consentRate: 5 / 30, verifiedRate: 1 },
        { key: 'qr', views: 20, consents: 5, verified: 1, consentRate: 0.25, verifiedRate: 0.2 },
        { key: 'sms', views: 0, consents: 4, verified: 4, consentRate: null, verifiedRate: 1 },
      ],
    );
  });

  it('Should add up each campaign across mechanisms, and order equals by key', () => {
    assert.deepEqual(
      conversions(rows, (r) => r.campaign),
      [
        { key: 'poster', views: 40, consents: 7, verified: 6, consentRate: 7 / 40, verifiedRate: 6 / 7 },
        { key: '', views: 10, consents: 7, verified: 4, consentRate: 0.7, verifiedRate: 4 / 7 },
      ],
    );
    assert.deepEqual(
      conversions(
        [
          { k: 'b', views: 1, consents: 0, verified: 0 },
          { k: 'a', views: 1, consents: 0, verified: 0 },
        ],
        (r) => r.k,
      ).map((c) => c.key),
      ['a', 'b'],
    );
    assert.deepEqual(
      conversions([], (r: { views: number; consents: number; verified: number }) => String(r.views)),
      [],
    );
  });
});
