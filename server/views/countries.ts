import { callingCode, isPhoneCountry, PHONE_COUNTRIES } from '../../core/countries.js';
import type { Locale } from '../../core/locale.js';

export interface CountryOption {
  code: string;
  /** The country's name in the page's language, with its calling code: `Indonesia (+62)`. */
  label: string;
}

const lists = new Map<Locale, CountryOption[]>();

/**
 * Every country libphonenumber knows, named in the page's language and sorted the way its readers
 * sort: the consent page's country picker, for a number typed without its country code.
 */
export function countryOptions(lang: Locale): CountryOption[] {
  let list = lists.get(lang);
  if (!list) {
    const names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
    const collator = new Intl.Collator(lang);
    list = PHONE_COUNTRIES.map((code) => ({ code, label: `${names.of(code) ?? code} (+${callingCode(code)})` })).sort(
      (a, b) => collator.compare(a.label, b.label),
    );
    lists.set(lang, list);
  }
  return list;
}

/** A country code the picker offers, or null. */
export function knownCountry(code: string | null | undefined): string | null {
  return code && /^[A-Z]{2}$/.test(code) && isPhoneCountry(code) ? code : null;
}
