import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eligibility, type EligibilityInput } from './eligibility.js';
import { applyEvent, NEW_USER, SESSION_WINDOW_MS, type UserState } from './optin-state.js';
import { PURPOSES, purposesOf, purposeStatus } from './purposes.js';

const t0 = 1_700_000_000_000;

describe('purposes', () => {
  it('Should read marketing as opted_out once stopped, and every other purpose as the opt-in', () => {
    for (const optin of ['opted_in', 'opted_out', 'none'] as const)
      for (const marketingStopped of [false, true]) {
        const u = { optin, via: 'api' as const, verified: false, marketingStopped };
        for (const p of PURPOSES) {
          const want = p === 'marketing' && marketingStopped ? 'opted_out' : optin;
          assert.equal(purposeStatus(u, p, true), want, `${optin} ${String(marketingStopped)} ${p}`);
        }
      }
  });
  it('Should read an unverified web consent through unverifiedCountsAsOptin for every purpose', () => {
    const u = { optin: 'opted_in' as const, via: 'qr' as const, verified: false, marketingStopped: false };
    assert.deepEqual(purposesOf(u, false), { marketing: 'none', utility: 'none', authentication: 'none' });
    assert.deepEqual(purposesOf(u, true), { marketing: 'opted_in', utility: 'opted_in', authentication: 'opted_in' });
  });
});

describe('marketing preference in the state machine', () => {
  it('Should stop and resume, tell only changes, and let a late older report change nothing', () => {
    let s: UserState = applyEvent(NEW_USER, { type: 'opt_in', via: 'api', at: t0, verified: false }).state;
    const steps: [Parameters<typeof applyEvent>[1], boolean, string | null][] = [
      [{ type: 'marketing', value: 'stop', at: t0 + 10 }, true, 'marketing-stopped'],
      [{ type: 'marketing', value: 'stop', at: t0 + 11 }, true, null],
      [{ type: 'marketing', value: 'resume', at: t0 + 20 }, false, 'marketing-resumed'],
      [{ type: 'marketing', value: 'stop', at: t0 + 15 }, false, null], // older than the resume
      [{ type: 'opt_out', via: 'first_message', at: t0 + 30 }, false, 'opted-out'],
    ];
    for (const [ev, stopped, changed] of steps) {
      const r = applyEvent(s, ev);
      assert.equal(Boolean(r.state.marketingStopped), stopped, JSON.stringify(ev));
      assert.equal(r.changed, changed, JSON.stringify(ev));
      s = r.state;
    }
  });
});

describe('eligibility by template category', () => {
  const now = t0;
  const base: EligibilityInput = {
    templateMessaging: true,
    optin: 'opted_in',
    lastInboundAt: null,
    kind: 'template',
    matchesTemplate: true,
    now,
  };
  it('Should block marketing (and no category) for a person who stopped it, in a session too', () => {
    for (const templateMessaging of [true, false])
      for (const lastInboundAt of [null, now - 1000]) {
        const i = { ...base, templateMessaging, lastInboundAt, marketingStopped: true };
        assert.deepEqual(eligibility({ ...i, category: 'marketing' }), {
          deliver: 'blocked',
          reason: 'marketing_stopped',
        });
        assert.deepEqual(eligibility(i), { deliver: 'blocked', reason: 'marketing_stopped' });
        for (const category of ['utility', 'authentication'] as const)
          assert.deepEqual(eligibility({ ...i, category }), eligibility({ ...i, marketingStopped: false }));
      }
  });
  it('Should change nothing for someone who did not stop marketing, whatever the category', () => {
    for (const category of [undefined, 'marketing', 'utility', 'authentication'] as const)
      assert.deepEqual(eligibility({ ...base, category }), { deliver: 'template', reason: 'approved_template' });
  });
  it('Should block a number its person left, until someone writes from it again', () => {
    const moved = { ...base, movedAt: now - 1000, lastInboundAt: now - 5000 };
    assert.deepEqual(eligibility(moved), { deliver: 'blocked', reason: 'number_changed' });
    assert.deepEqual(eligibility({ ...moved, templateMessaging: false }), {
      deliver: 'blocked',
      reason: 'number_changed',
    });
    assert.deepEqual(eligibility({ ...moved, lastInboundAt: now - 10, optin: 'none' }), {
      deliver: 'blocked',
      reason: 'not_opted_in',
    });
    assert.equal(eligibility({ ...moved, lastInboundAt: now - 10, templateMessaging: false }).deliver, 'session');
    assert.ok(SESSION_WINDOW_MS > 1000);
  });
});
