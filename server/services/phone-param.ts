import { normalizeInternational } from '../../core/phone.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import type { AppRecord } from '../store/index.js';
import { isStored } from '../store/users.js';

/** What a business-API path or body may hold: digits, `+`, and the separators people copy along. */
const DIGITS = /^\+?[\d\s().-]{1,40}$/;

/**
 * A phone number named in a business-API path or body. Digits there are international, with or
 * without `+`: the app's defaultCountry is for what people type on the page or in the widget, never
 * for a program's digits (`4915123456789` is +49 151…, not +49 4915…). Any spelling of a person's
 * number names them (core/phone-aliases.ts); digits that are no valid number still name whoever
 * is stored under exactly them (a WhatsApp ID libphonenumber does not know), so that every stored
 * person can be read, opted out and erased. Anything else is a 422.
 */
export async function phoneParam(deps: Pick<Deps, 'store'>, app: AppRecord, raw: string): Promise<string> {
  // A path parameter comes already decoded by the router: decoding it again would make `%25` a `%`.
  const text = raw;
  const r = normalizeInternational(text);
  if (r.ok) return r.phone;
  const digits = text.replace(/[\s().-]/g, '').replace(/^\+/, '');
  if (DIGITS.test(text) && /^\d{6,15}$/.test(digits) && (await deps.store.read(isStored, app.id, digits)))
    return digits;
  throw new ApiError(
    422,
    'invalid_phone',
    `"${text.slice(0, 40)}" is not a valid phone number. Use international digits, for example 14155550123 or +14155550123.`,
  );
}
