import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  displayNameProblem,
  findBadText,
  formHasNul,
  shownTextProblem,
  textProblem,
  type TextProblem,
} from './text.js';
import { redirectTarget, waMeLink } from './wa-link.js';

describe('text rules', () => {
  const cases: [string, string, TextProblem | null, TextProblem | null, TextProblem | null][] = [
    // what, text, textProblem, displayNameProblem, shownTextProblem
    ['plain', 'Acme Shoes', null, null, null],
    ['accents, emoji and a family emoji (ZWJ)', 'Café 👨‍👩‍👧 ¡Sí!', null, null, null],
    ['Arabic and Hebrew', 'متجر שלום', null, null, null],
    ['a lone high surrogate', 'Hi \uD800', 'lone_surrogate', 'lone_surrogate', 'lone_surrogate'],
    ['a lone low surrogate', '\uDC00x', 'lone_surrogate', 'lone_surrogate', 'lone_surrogate'],
    ['a reversed pair', '\uDC00\uD800', 'lone_surrogate', 'lone_surrogate', 'lone_surrogate'],
    ['NUL', 'a\u0000b', 'nul', 'nul', 'nul'],
    ['a newline', 'a\nb', null, 'control', null],
    ['tab and CR', 'a\tb\r\n', null, 'control', null],
    ['ESC', 'a\u001Bb', null, 'control', 'control'],
    ['DEL', 'a\u007F', null, 'control', 'control'],
    ['a C1 control', 'a\u0085', null, 'control', 'control'],
    ['a line separator (not a control: XML and WhatsApp take it)', 'a\u2028b', null, null, null],
    ['an RLM mark', 'Acme\u200F', null, 'bidi', 'bidi'],
    ['RLO (Trojan Source)', 'Acme \u202Eseohs', null, 'bidi', 'bidi'],
    ['LRE', '\u202Ax', null, 'bidi', 'bidi'],
    ['PDI', 'x\u2069', null, 'bidi', 'bidi'],
    ['RLI', '\u2067x', null, 'bidi', 'bidi'],
  ];
  for (const [what, s, any, name, shown] of cases) {
    it(`Should judge ${what}`, () => {
      assert.equal(textProblem(s), any);
      assert.equal(displayNameProblem(s), name);
      assert.equal(shownTextProblem(s), shown);
    });
  }

  it('Should find the first bad string in JSON, keys included, with its path', () => {
    assert.equal(findBadText({ a: 'ok', b: [1, 'x', { c: 'fine' }] }), null);
    assert.deepEqual(findBadText(JSON.parse('{"page":"a\\u0000b"}')), { path: 'page', problem: 'nul' });
    assert.deepEqual(findBadText(JSON.parse('{"s":{"t":["ok","\\ud800"]}}')), {
      path: 's.t[1]',
      problem: 'lone_surrogate',
    });
    assert.deepEqual(findBadText(JSON.parse('{"a\\u0000":1}')), { path: 'body', problem: 'nul' });
    assert.deepEqual(findBadText('\ud800'), { path: 'body', problem: 'lone_surrogate' });
    // Deep nesting is walked without recursion (5,000 levels overflowed the stack).
    const deep = JSON.parse('['.repeat(5000) + '"\\u0000"' + ']'.repeat(5000)) as unknown;
    assert.equal(findBadText(deep)?.problem, 'nul');
  });

  it('Should see NUL in a form body, raw or escaped', () => {
    assert.equal(formHasNul('phone=%2B1&c=a%00'), true);
    assert.equal(formHasNul('phone=\u0000'), true);
    assert.equal(formHasNul('phone=%2B100&c=a'), false);
  });

  it('Should build a wa.me link even from a stored lone surrogate, never throw', () => {
    assert.equal(waMeLink('14155550123', 'Hi \uD800'), 'https://wa.me/14155550123?text=Hi%20%EF%BF%BD');
    const app = { name: 'Acme', live: true, phone: '14155550123', prefill: 'Hi \uDC00!', refEnabled: true };
    assert.equal(
      redirectTarget(app, 'K7Q2XD', '917834811114'),
      'https://wa.me/14155550123?text=Hi%20%EF%BF%BD!%20(ref%20K7Q2XD)',
    );
  });
});
