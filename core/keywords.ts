import type { Locale } from './locale.js';

/**
 * The keywords people text or message to opt out, opt back in, or ask for help, in English, Spanish
 * and Portuguese. Carriers (CTIA) and WhatsApp expect STOP-type words to be honoured in every
 * language the business speaks.
 */
export type KeywordKind = 'stop' | 'start' | 'help';

export interface KeywordMatch {
  kind: KeywordKind;
  /** The keyword as it is listed below (upper case, no accents, no spaces). */
  keyword: string;
  /** The language the keyword tells, or null when several languages share it (PARAR, INFO). */
  locale: Locale | null;
}

type Table = Record<KeywordKind, Record<Locale, readonly string[]>>;

/**
 * Listed in their normalised form (see {@link normalizeKeyword}): upper case, accents stripped,
 * inner spaces and hyphens removed, so `opt-out`, `Opt Out` and `OPTOUT` are one entry.
 */
export const KEYWORDS: Table = {
  stop: {
    en: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
    es: ['BAJA', 'DARDEBAJA', 'CANCELAR', 'PARAR', 'ALTO', 'DETENER', 'ANULAR'],
    pt: ['SAIR', 'PARAR', 'PARE', 'CANCELAR', 'DESCADASTRAR', 'DESCADASTRE', 'DESINSCREVER'],
  },
  start: {
    en: ['START', 'YES', 'UNSTOP', 'SUBSCRIBE', 'OPTIN'],
    es: ['SI', 'ALTA', 'ACEPTO', 'SUSCRIBIR'],
    pt: ['SIM', 'ACEITO', 'INSCREVER'],
  },
  help: {
    en: ['HELP', 'INFO'],
    es: ['AYUDA', 'INFO', 'INFORMACION'],
    pt: ['AJUDA', 'INFO', 'INFORMACAO'],
  },
};

const INDEX: Map<string, KeywordMatch> = (() => {
  const m = new Map<string, KeywordMatch>();
  for (const kind of Object.keys(KEYWORDS) as KeywordKind[]) {
    for (const [locale, words] of Object.entries(KEYWORDS[kind]) as [Locale, readonly string[]][]) {
      for (const w of words) {
        const seen = m.get(w);
        // A word two languages share tells no language.
        m.set(w, { kind, keyword: w, locale: seen && seen.locale !== locale ? null : locale });
      }
    }
  }
  return m;
})();

/**
 * Upper case, accents stripped (`SÍ` → `SI`, `INFORMAÇÃO` → `INFORMACAO`), surrounding spaces and
 * punctuation dropped (`¡Sí!` → `SI`), inner spaces and hyphens removed (`opt-out` → `OPTOUT`).
 *
 * @example
 * normalizeKeyword('  ¡Sí!  ') // 'SI'
 */
export function normalizeKeyword(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/^[\s.!¡?¿,;:"'()]+|[\s.!¡?¿,;:"'()]+$/gu, '')
    .replace(/[\s-]+/g, '');
}

/**
 * The keyword a message is, when the whole message is one (`please stop` is not: people write
 * STOP-type words in ordinary sentences, and carriers match the whole message too).
 *
 * @example
 * matchKeyword(' baja ')   // { kind: 'stop', keyword: 'BAJA', locale: 'es' }
 * matchKeyword('Sí')       // { kind: 'start', keyword: 'SI', locale: 'es' }
 * matchKeyword('stop it')  // null
 */
export function matchKeyword(text: string): KeywordMatch | null {
  if (text.length > 64) return null;
  return INDEX.get(normalizeKeyword(text)) ?? null;
}

/** Greetings that tell a language when the first message is not a keyword. */
const GREETINGS: Record<string, Locale> = {
  HOLA: 'es',
  BUENAS: 'es',
  BUENOSDIAS: 'es',
  BUENASTARDES: 'es',
  BUENASNOCHES: 'es',
  OLA: 'pt',
  OI: 'pt',
  BOMDIA: 'pt',
  BOATARDE: 'pt',
  BOANOITE: 'pt',
  HI: 'en',
  HELLO: 'en',
  HEY: 'en',
};

/** Country calling codes of the Spanish- and Portuguese-speaking countries (NANP ones with area code). */
const CALLING_CODES: [string, Locale][] = [
  ...[
    '34',
    '52',
    '53',
    '54',
    '56',
    '57',
    '58',
    '51',
    '591',
    '593',
    '595',
    '598',
    '502',
    '503',
    '504',
    '505',
    '506',
    '507',
    '240',
    '1809',
    '1829',
    '1849',
  ].map((p) => [p, 'es'] as [string, Locale]),
  ...['55', '351', '244', '258', '238', '245', '239', '670'].map((p) => [p, 'pt'] as [string, Locale]),
];

/**
 * The language to answer a sender in, where it can be told: a keyword or greeting that names one,
 * else the country of the sender's number, else English.
 *
 * @example
 * senderLocale('Hola', '14155550123')     // 'es' (the word tells)
 * senderLocale('hi there', '5511912345678') // 'pt' (Brazil)
 * senderLocale('parar', '14155550123')   // 'en' (PARAR is Spanish and Portuguese; a US number)
 */
export function senderLocale(text: string, phone: string): Locale {
  const kw = matchKeyword(text);
  if (kw?.locale) return kw.locale;
  const first = normalizeKeyword(
    text
      .trim()
      .split(/[\s,.!?]+/)
      .slice(0, 2)
      .join(''),
  );
  const greeting = GREETINGS[first] ?? GREETINGS[normalizeKeyword(text.trim().split(/[\s,.!?]+/)[0] ?? '')];
  if (greeting) return greeting;
  // Longest prefix first: 1809 (Dominican Republic) before 1 would ever match, 351 before 35.
  let best: [string, Locale] | null = null;
  for (const cc of CALLING_CODES) if (phone.startsWith(cc[0]) && (!best || cc[0].length > best[0].length)) best = cc;
  return best?.[1] ?? 'en';
}
