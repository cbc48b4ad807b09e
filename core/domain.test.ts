import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidAppName, isValidCampaign } from './app-name.js';
import { manualClock } from './clock.js';
import { eligibility, type EligibilityInput } from './eligibility.js';
import { negotiateLocale } from './locale.js';
import { activityAt, applyEvent, NEW_USER, SESSION_WINDOW_MS, type UserState } from './optin-state.js';
import { maskPhone, normalizeInternational, normalizeTyped } from './phone.js';
import { newRef, REF_ALPHABET, REF_PATTERN } from './ref.js';
import { findRef, livePrefill, parseProxyText, proxyText, redirectTarget, waMeLink } from './wa-link.js';
import { checkWording, DEFAULT_WORDING, renderWording, wordingHash } from './wording.js';
import { randomBytes } from 'node:crypto';

describe('app names', () => {
  const cases: [string, boolean][] = [
    ['Acme', true],
    ['acme_shoes_2', true],
    ['Ab1', true],
    ['A'.repeat(40), true],
    ['A'.repeat(41), false],
    ['ab', false],
    ['1acme', false],
    ['_acme', false],
    ['acme-shoes', false],
    ['acme shoes', false],
    ['<script>', false],
    ['', false],
  ];
  for (const [name, ok] of cases)
    it(`Should ${ok ? 'accept' : 'refuse'} "${name}"`, () => assert.equal(isValidAppName(name), ok));

  it('Should accept campaign tags of URL-safe characters only', () => {
    assert.equal(isValidCampaign('spring-sale_2026'), true);
    for (const bad of ['', 'a b', 'a/b', 'x'.repeat(65), '<b>', 'ü']) assert.equal(isValidCampaign(bad), false, bad);
  });
});

describe('phone numbers', () => {
  const cases: [string, string | undefined, string | null][] = [
    ['+1 (415) 555-0123', undefined, '14155550123'],
    ['+14155550123', undefined, '14155550123'],
    ['14155550123', undefined, '14155550123'],
    ['0044 7911 123456', undefined, '447911123456'],
    ['+44 7911 123456', undefined, '447911123456'],
    ['0412 345 678', 'AU', '61412345678'],
    ['+91 98765 43210', undefined, '919876543210'],
    ['+55 11 91234-5678', undefined, '5511912345678'],
    ['123', undefined, null],
    ['+1 555', undefined, null],
    ['not a number', undefined, null],
    ['+1415555012;drop', undefined, null],
    ['', undefined, null],
    ['+'.padEnd(40, '1'), undefined, null],
  ];
  for (const [input, country, want] of cases) {
    it(`Should read "${input}"${country ? ` in ${country}` : ''} as ${want ?? 'invalid'}`, () => {
      const r = country ? normalizeTyped(input, country) : normalizeInternational(input);
      assert.deepEqual(r, want ? { ok: true, phone: want } : { ok: false, reason: 'invalid_phone' });
    });
  }
  it('Should mask all but the last four digits', () => assert.equal(maskPhone('14155550123'), '•••••••0123'));
});

describe('wa.me links', () => {
  const cases: [string, string, string][] = [
    ['plain', 'Hi Acme!', 'https://wa.me/14155550123?text=Hi%20Acme!'],
    ['plus, ampersand and hash', 'A+B & C #1', 'https://wa.me/14155550123?text=A%2BB%20%26%20C%20%231'],
    ['emoji', 'Hi 👋', 'https://wa.me/14155550123?text=Hi%20%F0%9F%91%8B'],
    ['right-to-left', 'مرحبا', 'https://wa.me/14155550123?text=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7'],
    ['newline and question mark', 'a?\nb=c', 'https://wa.me/14155550123?text=a%3F%0Ab%3Dc'],
  ];
  for (const [what, text, want] of cases) {
    it(`Should encode ${what} so that it survives`, () => {
      const link = waMeLink('14155550123', text);
      assert.equal(link, want);
      assert.equal(new URL(link).searchParams.get('text'), text);
    });
  }
  it('Should refuse anything but digits as the phone', () => {
    for (const bad of ['evil.example', '+14155550123', '1415/..', '', '1'.repeat(16)])
      assert.throws(() => waMeLink(bad, 'x'));
  });

  it('Should send a live app to its own number with the reference appended', () => {
    const app = { name: 'Acme', live: true, phone: '14155550123', prefill: 'Hi Acme!', refEnabled: true };
    assert.equal(
      redirectTarget(app, 'K7Q2XD', '917834811114'),
      'https://wa.me/14155550123?text=Hi%20Acme!%20(ref%20K7Q2XD)',
    );
    assert.equal(
      redirectTarget({ ...app, refEnabled: false }, 'K7Q2XD', '917834811114'),
      'https://wa.me/14155550123?text=Hi%20Acme!',
    );
  });

  it('Should send an app that is not live to the sandbox with exactly PROXY <name>', () => {
    const app = { name: 'Acme', live: false, phone: '14155550123', prefill: 'Hi', refEnabled: true };
    assert.equal(redirectTarget(app, 'K7Q2XD', '917834811114'), 'https://wa.me/917834811114?text=PROXY%20Acme');
    assert.equal(
      redirectTarget({ ...app, live: true, phone: null }, 'K7Q2XD', '15550001111'),
      'https://wa.me/15550001111?text=PROXY%20Acme',
    );
  });

  it('Should read the proxy text and references back', () => {
    assert.equal(proxyText('Acme'), 'PROXY Acme');
    assert.equal(parseProxyText('  proxy   acme '), 'acme');
    assert.equal(parseProxyText('PROXY'), null);
    assert.equal(parseProxyText('hello PROXY Acme'), null);
    assert.equal(findRef(livePrefill('Hi Acme!', 'K7Q2XD')), 'K7Q2XD');
    assert.equal(findRef('hi (ref k7q2xd) thanks'), 'K7Q2XD');
    assert.equal(findRef('no reference here'), null);
    assert.equal(livePrefill('', 'K7Q2XD'), '(ref K7Q2XD)');
  });
});

describe('consent references', () => {
  it('Should draw six unambiguous characters', () => {
    for (let i = 0; i < 2000; i++) {
      const r = newRef((n) => randomBytes(n));
      assert.match(r, REF_PATTERN);
      assert.doesNotMatch(r, /[01OIL U]/);
    }
  });
  it('Should not repeat in practice', () => {
    const seen = new Set(Array.from({ length: 20000 }, () => newRef((n) => randomBytes(n))));
    assert.ok(seen.size >= 19995, `only ${seen.size} distinct of 20000`);
  });
  it('Should skip biased bytes rather than fold them', () => {
    // Bytes of 240 and above would favour the first 16 characters; they must be dropped.
    const bytes = [255, 240, 0, 1, 2, 3, 4, 5];
    assert.equal(
      newRef(() => new Uint8Array(bytes)),
      REF_ALPHABET.slice(0, 6),
    );
  });
});

describe('consent wording', () => {
  it('Should hash the exact text shown, in NFC', () => {
    const text = renderWording(DEFAULT_WORDING.en, 'Acme Shoes');
    assert.ok(text.includes('Acme Shoes on WhatsApp'));
    assert.equal(wordingHash(text), wordingHash(text.normalize('NFD')));
    assert.notEqual(wordingHash(text), wordingHash(text + ' '));
    assert.match(wordingHash(text), /^[0-9a-f]{64}$/);
  });
  it('Should require the business and WhatsApp to be named', () => {
    assert.equal(checkWording(DEFAULT_WORDING.es, 'es'), null);
    assert.match(checkWording('I agree to messages on WhatsApp.', 'en')!, /business/);
    assert.match(checkWording('I agree to messages from {business}.', 'en')!, /WhatsApp/);
    assert.match(checkWording('short', 'en')!, /characters/);
  });
});

describe('opt-in state', () => {
  const t0 = 1_700_000_000_000;
  it('Should move through opt-in, opt-out and opt-in again, notifying only on change', () => {
    let s: UserState = NEW_USER;
    const steps: [Parameters<typeof applyEvent>[1], UserState['optin'], string | null][] = [
      [{ type: 'opt_in', via: 'qr', at: t0, verified: false }, 'opted_in', 'opted-in'],
      [{ type: 'opt_in', via: 'url', at: t0 + 1, verified: false }, 'opted_in', null],
      [{ type: 'verify', at: t0 + 2 }, 'opted_in', 'verified'],
      [{ type: 'verify', at: t0 + 3 }, 'opted_in', null],
      [{ type: 'opt_out', via: 'sms', at: t0 + 4 }, 'opted_out', 'opted-out'],
      [{ type: 'opt_out', via: 'sms', at: t0 + 5 }, 'opted_out', null],
      [{ type: 'verify', at: t0 + 6 }, 'opted_out', null],
      [{ type: 'opt_in', via: 'sms', at: t0 + 7, verified: true }, 'opted_in', 'opted-in'],
    ];
    for (const [ev, optin, changed] of steps) {
      const r = applyEvent(s, ev);
      assert.equal(r.state.optin, optin, JSON.stringify(ev));
      assert.equal(r.changed, changed, JSON.stringify(ev));
      s = r.state;
    }
    assert.equal(s.verified, true);
    assert.equal(s.via, 'sms');
  });
  it('Should count as active for exactly 24 hours after the last inbound message', () => {
    const clock = manualClock(t0);
    assert.equal(activityAt(null, clock.now()), 'inactive');
    const last = clock.now();
    clock.advance(SESSION_WINDOW_MS - 1);
    assert.equal(activityAt(last, clock.now()), 'active');
    clock.advance(1);
    assert.equal(activityAt(last, clock.now()), 'inactive');
  });
});

describe('locale negotiation', () => {
  const cases: [string | undefined, string | undefined, string][] = [
    ['es', 'pt-BR', 'es'],
    [undefined, 'pt-BR,pt;q=0.9,en;q=0.8', 'pt'],
    [undefined, 'fr;q=0.9, es-MX;q=0.8', 'es'],
    [undefined, 'de, en;q=0.1', 'en'],
    [undefined, 'es;q=0, pt;q=0.5', 'pt'],
    [undefined, undefined, 'en'],
    ['xx', 'es', 'es'],
    [undefined, ';;;,,q=', 'en'],
  ];
  for (const [explicit, header, want] of cases)
    it(`Should pick ${want} for lang=${explicit} Accept-Language="${header}"`, () =>
      assert.equal(negotiateLocale(explicit, header), want));
});

describe('eligibility', () => {
  const now = 1_700_000_000_000;
  const active = now - 1000;
  const inactive = now - SESSION_WINDOW_MS;
  // Every combination of template messaging, activity, opt-in status, kind and template match.
  for (const templateMessaging of [false, true])
    for (const last of [active, inactive, null])
      for (const optin of ['opted_in', 'opted_out', 'none'] as const)
        for (const kind of ['text', 'template'] as const)
          for (const matchesTemplate of [false, true]) {
            const input: EligibilityInput = {
              templateMessaging,
              optin,
              lastInboundAt: last,
              kind,
              matchesTemplate,
              now,
            };
            const isActive = last === active;
            const want = !templateMessaging
              ? isActive
                ? 'session'
                : 'blocked'
              : optin !== 'opted_in'
                ? 'blocked'
                : isActive
                  ? 'session'
                  : matchesTemplate
                    ? 'template'
                    : 'blocked';
            it(`Should deliver ${want}: templates ${templateMessaging ? 'on' : 'off'}, ${isActive ? 'active' : 'inactive'}, ${optin}, ${kind}, match ${matchesTemplate}`, () => {
              assert.equal(eligibility(input).deliver, want);
            });
          }
  it('Should give the reasons the contract names', () => {
    const base = {
      templateMessaging: true,
      optin: 'opted_in' as const,
      lastInboundAt: null,
      kind: 'template' as const,
      matchesTemplate: false,
      now,
    };
    assert.equal(eligibility({ ...base, templateMessaging: false }).reason, 'outside_session_window');
    assert.equal(eligibility({ ...base, optin: 'none' }).reason, 'not_opted_in');
    assert.equal(eligibility(base).reason, 'no_matching_template');
  });
});
