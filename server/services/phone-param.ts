import { normalizePhone } from '../../core/phone.js';
import { ApiError } from '../errors.js';
import type { AppRecord } from '../store/index.js';

/**
 * A phone number named in a business-API path or body, as E.164 digits, or a 422. A path parameter
 * comes already decoded by the router: decoding it again would make `%25` a `%` and throw.
 */
export function phoneParam(app: AppRecord, raw: string): string {
  const r = normalizePhone(raw, (app.settings.defaultCountry ?? undefined) as never);
  if (!r.ok)
    throw new ApiError(
      422,
      'invalid_phone',
      `"${raw}" is not a valid phone number. Use E.164, for example 14155550123.`,
    );
  return r.phone;
}
