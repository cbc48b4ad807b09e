import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conversionOf, conversions, rate, withRates } from './conversion.js';

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
});

describe('withRates', () => {
  it('Should give a web row consents per view and verified per consent', () => {
    for (const via of ['qr', 'url', 'widget'])
      assert.deepEqual(withRates({ via, views: 40, consents: 10, verified: 4 }), {
        via,
        views: 40,
        consents: 10,
        verified: 4,
        consentRate: 0.25,
        verifiedRate: 0.4,
      });
    assert.deepEqual(withRates({ via: 'url', views: 0, consents: 0, verified: 0 }), {
      via: 'url',
      views: 0,
      consents: 0,
      verified: 0,
      consentRate: null,
      verifiedRate: null,
    });
  });

  it('Should give no rates to a mechanism without views, whatever its counts', () => {
    // Its consents follow no view, and need no verification (from the phone itself, or vouched for).
    for (const via of ['sms', 'first_message', 'api'])
      assert.deepEqual(withRates({ via, views: 0, consents: 3, verified: 3 }), {
        via,
        views: 0,
        consents: 3,
        verified: 3,
        consentRate: null,
        verifiedRate: null,
      });
  });
});

describe('conversionOf', () => {
  it('Should divide only the consents and verifications of the mechanisms with views', () => {
    // The reviewer's case: one SMS consent made the total 5 of 13 (38.5 %) instead of 4 of 13.
    const rows = [
      { via: 'widget', views: 10, consents: 3, verified: 1 },
      { via: 'qr', views: 3, consents: 1, verified: 0 },
      { via: 'sms', views: 0, consents: 1, verified: 1 },
      { via: 'first_message', views: 0, consents: 2, verified: 0 },
      { via: 'api', views: 0, consents: 4, verified: 0 },
    ];
    assert.deepEqual(conversionOf(rows), {
      views: 13,
      webConsents: 4,
      webVerified: 1,
      consentRate: 4 / 13,
      verifiedRate: 0.25,
    });
    assert.deepEqual(conversionOf(rows.filter((r) => r.views === 0)), {
      views: 0,
      webConsents: 0,
      webVerified: 0,
      consentRate: null,
      verifiedRate: null,
    });
    assert.deepEqual(conversionOf([]), {
      views: 0,
      webConsents: 0,
      webVerified: 0,
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
    { via: 'first_message', campaign: 'ad', views: 0, consents: 2, verified: 0 },
    { via: 'url', campaign: 'idle', views: 0, consents: 0, verified: 0 },
  ];

  it('Should add up each mechanism with views, busiest first, and leave out those without', () => {
    assert.deepEqual(
      conversions(rows, (r) => r.via),
      [
        { key: 'widget', views: 30, webConsents: 5, webVerified: 5, consentRate: 5 / 30, verifiedRate: 1 },
        { key: 'qr', views: 20, webConsents: 5, webVerified: 1, consentRate: 0.25, verifiedRate: 0.2 },
      ],
    );
  });

  it('Should add up each campaign across mechanisms, counting only the web consents, and order equals by key', () => {
    assert.deepEqual(
      conversions(rows, (r) => r.campaign),
      [
        { key: 'poster', views: 40, webConsents: 7, webVerified: 6, consentRate: 7 / 40, verifiedRate: 6 / 7 },
        // 3 of 10, not 7 of 10: the 4 SMS consents of no campaign followed no view.
        { key: '', views: 10, webConsents: 3, webVerified: 0, consentRate: 0.3, verifiedRate: 0 },
      ],
    );
    assert.deepEqual(
      conversions(
        [
          { via: 'url', k: 'b', views: 1, consents: 0, verified: 0 },
          { via: 'url', k: 'a', views: 1, consents: 0, verified: 0 },
        ],
        (r) => r.k,
      ).map((c) => c.key),
      ['a', 'b'],
    );
    assert.deepEqual(
      conversions([], (r: { via: string; views: number; consents: number; verified: number }) => r.via),
      [],
    );
  });
});
