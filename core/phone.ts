import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** A phone kept as E.164 digits without the `+`, for example `14155550123`. */
export type PhoneDigits = string;

export type PhoneResult = { ok: true; phone: PhoneDigits } | { ok: false; reason: 'invalid_phone' };

/**
 * Normalises what a person typed (or a provider sent) into E.164 digits.
 * A number without a `+` is read in `defaultCountry` when one is given, else as international digits.
 *
 * @example
 * normalizePhone('+1 (415) 555-0123') // { ok: true, phone: '14155550123' }
 * normalizePhone('0412 345 678', 'AU') // { ok: true, phone: '61412345678' }
 */
export function normalizePhone(input: string, defaultCountry?: CountryCode): PhoneResult {
  const raw = input.trim();
  // Provider payloads carry bare international digits ("14155550123"); people type "+1 415…".
  if (raw.length === 0 || raw.length > 32 || !/^[+\d\s().\-/]+$/.test(raw))
    return { ok: false, reason: 'invalid_phone' };
  let parsed = parsePhoneNumberFromString(raw, defaultCountry);
  if (!parsed?.isValid() && !raw.startsWith('+')) parsed = parsePhoneNumberFromString('+' + raw.replace(/^00/, ''));
  if (!parsed || !parsed.isValid()) return { ok: false, reason: 'invalid_phone' };
  return { ok: true, phone: parsed.number.slice(1) };
}

/** Masks all but the last four digits, for logs and screens that need not show the number. */
export function maskPhone(phone: PhoneDigits): string {
  if (phone.length <= 4) return phone;
  return '•'.repeat(phone.length - 4) + phone.slice(-4);
}
