import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { canonicalSpelling } from './phone-aliases.js';

/** A phone kept as E.164 digits without the `+`, for example `14155550123`. */
export type PhoneDigits = string;

export type PhoneResult =
  | { ok: true; phone: PhoneDigits }
  | {
      ok: false;
      /** `country_required`: digits without a country code, and no country to read them in. */
      reason: 'invalid_phone' | 'country_required';
    };

const INVALID = { ok: false, reason: 'invalid_phone' } as const;
// Digits, and what people put between them. Anything else is not a phone number.
const SHAPE = /^[+\d\s().\-/]+$/;

/** The canonical E.164 digits of a parsed number, or of the alias spelling it is (core/phone-aliases.ts). */
function canonicalOf(parsed: PhoneNumber | undefined, digits: string): PhoneDigits | null {
  if (parsed?.isValid()) return canonicalSpelling(parsed.number.slice(1));
  // `+521 55…` (Mexico's old mobile prefix), a Brazilian mobile without its ninth digit: the
  // spelling is not a valid number, but the person's canonical one is.
  const c = canonicalSpelling(digits);
  if (c !== digits && parsePhoneNumberFromString(`+${c}`)?.isValid()) return c;
  return null;
}

/**
 * Reads a number that a program sent (business-API paths and bodies, provider senders): always
 * international, with or without the `+` (or `00`), never in an app's default country.
 *
 * @example
 * normalizeInternational('4915123456789')   // { ok: true, phone: '4915123456789' }
 * normalizeInternational('+52 1 55 1234 5678') // { ok: true, phone: '525512345678' }
 */
export function normalizeInternational(input: string): PhoneResult {
  const raw = input.trim();
  if (raw.length === 0 || raw.length > 32 || !SHAPE.test(raw)) return INVALID;
  const digits = raw.replace(/\D/g, '').replace(/^00/, '');
  if (!/^\d{1,15}$/.test(digits) || raw.lastIndexOf('+') > 0) return INVALID;
  const phone = canonicalOf(parsePhoneNumberFromString(`+${digits}`), digits);
  return phone ? { ok: true, phone } : INVALID;
}

/**
 * Reads what a person typed on the page or in the widget. A number with its country code (`+` or
 * `00`) is read as it is; one without is read in `country` (the country the person picked, else the
 * app's default country). With neither, it is not guessed: a person is never given a country they
 * did not type or the business did not set (`country_required`).
 *
 * @example
 * normalizeTyped('+1 (415) 555-0123')            // { ok: true, phone: '14155550123' }
 * normalizeTyped('0412 345 678', 'AU')           // { ok: true, phone: '61412345678' }
 * normalizeTyped('812 3456 7890')                // { ok: false, reason: 'country_required' }
 * normalizeTyped('(11) 98765-4321', 'BR')        // { ok: true, phone: '5511987654321' }
 */
export function normalizeTyped(input: string, country?: string | null): PhoneResult {
  const raw = input.trim();
  if (raw.length === 0 || raw.length > 32 || !SHAPE.test(raw)) return INVALID;
  if (raw.startsWith('+') || (raw.startsWith('00') && !country)) return normalizeInternational(raw);
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 4 || digits.length > 17) return INVALID;
  // Without a country only the length tells: too short to be anyone's mobile number is simply wrong.
  if (!country || !isSupportedCountry(country))
    return digits.length < 6 ? INVALID : { ok: false, reason: 'country_required' };
  const parsed = parsePhoneNumberFromString(raw, country as CountryCode);
  const phone = parsed ? canonicalOf(parsed, parsed.number.slice(1)) : null;
  if (phone) return { ok: true, phone };
  // Not a number of that country. It may be one of another, typed without its `+`: ask, never guess.
  return normalizeInternational(digits).ok ? { ok: false, reason: 'country_required' } : INVALID;
}

/** Masks all but the last four digits, for logs and screens that need not show the number. */
export function maskPhone(phone: PhoneDigits): string {
  if (phone.length <= 4) return phone;
  return '•'.repeat(phone.length - 4) + phone.slice(-4);
}
