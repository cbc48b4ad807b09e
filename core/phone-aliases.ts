/**
 * One person, several spellings. WhatsApp identifies a person by a WhatsApp ID (`wa_id`), and Meta
 * notes that "a WhatsApp user's phone number and ID may not always match"
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/system);
 * Gupshup explains the Brazilian and Mexican cases
 * (https://support.gupshup.io/hc/en-us/articles/4413210201625). In three countries the two differ
 * by a rule, and every spelling of one number names the same subscriber:
 *
 * - **Mexico** (`52`): mobiles were dialled from abroad with a `1` after the country code until
 *   IFT's 2019 numbering reform (`+52 1 55 1234 5678`); the `1` is gone from the numbering plan, but
 *   older WhatsApp IDs keep it (`5215512345678` for `525512345678`).
 * - **Brazil** (`55`): Anatel added a ninth digit `9` in front of every 8-digit mobile number
 *   (announced in 2010, rolled out 2012–2016); mobiles then began with 6–9, landlines with 2–5. Accounts created before keep the
 *   8-digit WhatsApp ID (`553187654321` for `5531987654321`).
 * - **Argentina** (`54`): a mobile is dialled from abroad with a `9` after the country code
 *   (`+54 9 11 1234 5678`, the WhatsApp ID `5491112345678`); people often type it without
 *   (`+54 11 1234 5678`). A national number is a mobile or a landline, never both, so the two
 *   spellings cannot name two people.
 *
 * Each spelling maps to one canonical spelling (the valid E.164 number WhatsApp and libphonenumber
 * agree on): the users row is kept under it, and every record under any spelling of it belongs to
 * that person.
 */

interface Rule {
  /** The canonical spelling's pattern, and how to write its alias. */
  canonical: RegExp;
  alias: (m: RegExpExecArray) => string;
  /** The alias's pattern, and how to write its canonical spelling. */
  other: RegExp;
  back: (m: RegExpExecArray) => string;
}

const RULES: Rule[] = [
  // Mexico: 52 + 10 digits <-> 521 + 10 digits (area codes never start with 0 or 1).
  {
    canonical: /^52([2-9]\d{9})$/,
    alias: (m) => `521${m[1]}`,
    other: /^521([2-9]\d{9})$/,
    back: (m) => `52${m[1]}`,
  },
  // Brazil: 55 + area + 9 + 8 digits starting 6-9 <-> 55 + area + those 8 digits.
  {
    canonical: /^55([1-9][1-9])9([6-9]\d{7})$/,
    alias: (m) => `55${m[1]}${m[2]}`,
    other: /^55([1-9][1-9])([6-9]\d{7})$/,
    back: (m) => `55${m[1]}9${m[2]}`,
  },
  // Argentina: 549 + 10 digits <-> 54 + 10 digits (area codes start 1-8, never 9).
  {
    canonical: /^549([1-8]\d{9})$/,
    alias: (m) => `54${m[1]}`,
    other: /^54([1-8]\d{9})$/,
    back: (m) => `549${m[1]}`,
  },
];

/**
 * The spelling a person is kept under: the canonical form of any spelling of their number (or the
 * digits themselves when no rule applies).
 *
 * @example
 * canonicalSpelling('5215512345678') // '525512345678'
 * canonicalSpelling('553187654321')  // '5531987654321'
 * canonicalSpelling('541112345678')  // '5491112345678'
 * canonicalSpelling('14155550123')   // '14155550123'
 */
export function canonicalSpelling(digits: string): string {
  for (const r of RULES) {
    const m = r.other.exec(digits);
    if (m) return r.back(m);
  }
  return digits;
}

/**
 * Every spelling of the person's number, the canonical one first: what their records may be
 * stored under.
 *
 * @example
 * spellingsOf('5215512345678') // ['525512345678', '5215512345678']
 * spellingsOf('14155550123')   // ['14155550123']
 */
export function spellingsOf(digits: string): string[] {
  const c = canonicalSpelling(digits);
  for (const r of RULES) {
    const m = r.canonical.exec(c);
    if (m) return [c, r.alias(m)];
  }
  return [c];
}

/** Whether two spellings name the same person. */
export function samePerson(a: string, b: string): boolean {
  return canonicalSpelling(a) === canonicalSpelling(b);
}
