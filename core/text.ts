/**
 * Rules for text that enters from outside (API bodies, forms, settings, URLs). Pure: the HTTP edge
 * and the services call them and answer 4xx.
 *
 * - A lone UTF-16 surrogate is not Unicode: `encodeURIComponent` throws on it (so a wa.me link
 *   cannot be built) and UTF-8 encoders silently replace it, altering evidence.
 * - NUL is valid JSON and form text, but PostgreSQL `text` refuses it.
 * - Control and bidirectional-override characters let a business name spoof another, or break the
 *   XML of a TwiML answer (XML 1.0 allows no C0 control but tab, LF and CR). The bidi set is the one
 *   of "Trojan Source" (CVE-2021-42574, https://trojansource.codes): LRE, RLE, PDF, LRO, RLO, LRI,
 *   RLI, FSI, PDI; and the invisible LRM and RLM marks. The OpenAPI document's patterns
 *   (server/app-settings.ts) refuse the same characters.
 */

export type TextProblem = 'nul' | 'lone_surrogate' | 'control' | 'bidi';

/** C0 and C1 controls and DEL. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/** The same, but tab, LF and CR are allowed (wording and messages may have lines). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const BIDI = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** What is wrong with any text that enters, whatever field it is: NUL or a lone surrogate. */
export function textProblem(s: string): TextProblem | null {
  if (!s.isWellFormed()) return 'lone_surrogate';
  if (s.includes('\u0000')) return 'nul';
  return null;
}

/** Whether a URL-encoded form body has a NUL, raw or escaped as `%00`. */
export function formHasNul(body: string): boolean {
  return body.includes('\u0000') || body.includes('%00');
}

/** A one-line name people see (an app's display name): no control, separator or bidi override. */
export function displayNameProblem(s: string): TextProblem | null {
  return textProblem(s) ?? (CONTROL.test(s) ? 'control' : BIDI.test(s) ? 'bidi' : null);
}

/** A text people see that may have lines (wording, prefill, a message): tab, LF and CR allowed. */
export function shownTextProblem(s: string): TextProblem | null {
  return textProblem(s) ?? (CONTROL_BUT_LINES.test(s) ? 'control' : BIDI.test(s) ? 'bidi' : null);
}

/** A sentence for a person, after the field's name. */
export function describeTextProblem(p: TextProblem): string {
  switch (p) {
    case 'nul':
      return 'must not contain NUL (U+0000) characters';
    case 'lone_surrogate':
      return 'is not well-formed Unicode (it has a lone UTF-16 surrogate)';
    case 'control':
      return 'must not contain control characters';
    case 'bidi':
      return 'must not contain bidirectional control characters (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)';
  }
}

/**
 * The first string (value or object key) in a parsed JSON value that is not acceptable text, with
 * its path (`settings.prefill`, `wording.en`, `body` for the whole).
 *
 * @example
 * findBadText(JSON.parse('{"page":"a\\u0000b"}')) // { path: 'page', problem: 'nul' }
 */
export function findBadText(value: unknown, path = ''): { path: string; problem: TextProblem } | null {
  // A loop, not recursion: JSON nests as deep as a sender likes (`[[[[…]]]]` 5,000 deep overflowed the
  // stack, a 500 found by the OpenAPI property fuzz). Children go on the stack in reverse, so the first
  // bad string in document order is found.
  const todo: [unknown, string][] = [[value, path]];
  while (todo.length > 0) {
    const [v, at] = todo.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: at || 'body', problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) todo.push([v[i], `${at}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (const [k] of entries) {
        const keyProblem = textProblem(k);
        if (keyProblem) return { path: at || 'body', problem: keyProblem };
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i]!;
        todo.push([x, at ? `${at}.${k}` : k]);
      }
    }
  }
  return null;
}
