import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEYWORDS, matchKeyword, normalizeKeyword, senderLocale, type KeywordKind } from './keywords.js';
import type { Locale } from './locale.js';
import { replyText, REPLIES } from './replies.js';
import { effectiveOptin } from './verified-optin.js';

describe('keywords', () => {
  const cases: [string, KeywordKind | null, Locale | null][] = [
    ['STOP', 'stop', 'en'],
    ['stop', 'stop', 'en'],
    ['  Stop  ', 'stop', 'en'],
    ['STOP.', 'stop', 'en'],
    ['stopall', 'stop', 'en'],
    ['Stop All', 'stop', 'en'],
    ['UNSUBSCRIBE', 'stop', 'en'],
    ['cancel', 'stop', 'en'],
    ['end', 'stop', 'en'],
    ['quit', 'stop', 'en'],
    ['revoke', 'stop', 'en'],
    ['optout', 'stop', 'en'],
    ['opt-out', 'stop', 'en'],
    ['Opt Out', 'stop', 'en'],
    ['baja', 'stop', 'es'],
    ['BAJA', 'stop', 'es'],
    ['Dar de baja', 'stop', 'es'],
    ['alto', 'stop', 'es'],
    ['Cancelar', 'stop', null], // Spanish and Portuguese alike
    ['PARAR', 'stop', null],
    ['sair', 'stop', 'pt'],
    ['Descadastrar', 'stop', 'pt'],
    ['pare', 'stop', 'pt'],
    ['START', 'start', 'en'],
    ['yes', 'start', 'en'],
    ['Yes!', 'start', 'en'],
    ['unstop', 'start', 'en'],
    ['SI', 'start', 'es'],
    ['sí', 'start', 'es'],
    ['SÍ', 'start', 'es'],
    ['¡Sí!', 'start', 'es'],
    ['alta', 'start', 'es'],
    ['sim', 'start', 'pt'],
    ['Sim.', 'start', 'pt'],
    ['HELP', 'help', 'en'],
    ['info', 'help', null],
    ['Ayuda', 'help', 'es'],
    ['ajuda', 'help', 'pt'],
    ['Información', 'help', 'es'],
    ['informação', 'help', 'pt'],
    // The keyword must be the whole message.
    ['please stop', null, null],
    ['stop it', null, null],
    ['STOP sending me these', null, null],
    ['yes please', null, null],
    ['Hi Acme! (ref K7Q2XD)', null, null],
    ['stopped', null, null],
    ['', null, null],
    ['s t o p', 'stop', 'en'],
    ['x'.repeat(100), null, null],
  ];
  for (const [text, kind, locale] of cases) {
    it(`Should read ${JSON.stringify(text)} as ${kind ?? 'no keyword'}${kind ? ` (${locale ?? 'no locale'})` : ''}`, () => {
      const m = matchKeyword(text);
      assert.equal(m?.kind ?? null, kind);
      if (kind) assert.equal(m!.locale, locale);
    });
  }

  it('Should list every keyword in its normalised form, and in one kind only', () => {
    const kindOf = new Map<string, KeywordKind>();
    for (const [kind, byLocale] of Object.entries(KEYWORDS) as [KeywordKind, Record<Locale, readonly string[]>][]) {
      for (const words of Object.values(byLocale))
        for (const w of words) {
          assert.equal(normalizeKeyword(w), w);
          assert.ok(!kindOf.has(w) || kindOf.get(w) === kind, `${w} is both ${kindOf.get(w)} and ${kind}`);
          kindOf.set(w, kind);
        }
    }
  });

  it('Should strip accents, case, punctuation and inner spaces', () => {
    assert.equal(normalizeKeyword('  ¡Sí!  '), 'SI');
    assert.equal(normalizeKeyword('Informação'), 'INFORMACAO');
    assert.equal(normalizeKeyword('opt - out'), 'OPTOUT');
  });
});

describe('the sender’s language', () => {
  const cases: [string, string, Locale][] = [
    ['baja', '14155550123', 'es'],
    ['sair', '14155550123', 'pt'],
    ['Hola', '14155550123', 'es'],
    ['Buenos días, quiero info', '14155550123', 'es'],
    ['Oi', '14155550123', 'pt'],
    ['Bom dia!', '14155550123', 'pt'],
    ['quanto custa?', '5511912345678', 'pt'],
    ['what are your hours?', '34612345678', 'es'],
    ['what are your hours?', '351912345678', 'pt'],
    ['what are your hours?', '18095551234', 'es'], // Dominican Republic, inside +1
    ['what are your hours?', '14155550123', 'en'],
    ['parar', '14155550123', 'en'], // PARAR tells no language; a US number
    ['parar', '5511912345678', 'pt'],
    ['Hello', '5511912345678', 'en'], // the word tells before the country
  ];
  for (const [text, phone, want] of cases)
    it(`Should answer ${JSON.stringify(text)} from +${phone} in ${want}`, () =>
      assert.equal(senderLocale(text, phone), want));
});

describe('replies', () => {
  it('Should name the business and tell how to opt out in every opt-in confirmation and prompt', () => {
    const stopWord: Record<Locale, RegExp> = { en: /STOP/, es: /BAJA/, pt: /SAIR/ };
    for (const l of ['en', 'es', 'pt'] as Locale[]) {
      for (const key of ['prompt', 'waOptedIn', 'smsOptedIn', 'smsHelp', 'waHelp'] as const) {
        const t = replyText(l, key, 'Acme Shoes');
        assert.match(t, /Acme Shoes/, `${l}.${key}`);
        assert.match(t, stopWord[l], `${l}.${key}`);
        assert.ok(!t.includes('{business}'));
      }
      assert.match(REPLIES[l].smsOptedIn, /HELP|AYUDA|AJUDA/);
      assert.ok(replyText(l, 'smsOptedIn', 'X').length <= 160 * 2, 'at most two SMS segments');
    }
  });
  it('Should let the app’s own prompt text win', () =>
    assert.equal(replyText('en', 'prompt', 'Acme', 'Join {business}? YES/STOP'), 'Join Acme? YES/STOP'));
});

describe('unverified web consents', () => {
  const cases: [Parameters<typeof effectiveOptin>[0], boolean, string][] = [
    [{ optin: 'opted_in', via: 'qr', verified: false }, true, 'opted_in'],
    [{ optin: 'opted_in', via: 'qr', verified: false }, false, 'none'],
    [{ optin: 'opted_in', via: 'widget', verified: false }, false, 'none'],
    [{ optin: 'opted_in', via: 'url', verified: true }, false, 'opted_in'],
    [{ optin: 'opted_in', via: 'api', verified: false }, false, 'opted_in'],
    [{ optin: 'opted_in', via: 'sms', verified: true }, false, 'opted_in'],
    [{ optin: 'opted_out', via: 'qr', verified: false }, false, 'opted_out'],
    [{ optin: 'none', via: null, verified: false }, false, 'none'],
  ];
  for (const [u, counts, want] of cases) {
    it(`Should read ${u.optin} via ${u.via} ${u.verified ? 'verified' : 'unverified'} as ${want} when unverified ${counts ? 'counts' : 'does not count'}`, () =>
      assert.equal(effectiveOptin(u, counts), want));
  }
});
