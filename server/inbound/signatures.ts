import { createHmac } from 'node:crypto';
import { safeEqual } from '../keys.js';

/**
 * Checks that a provider's webhook really comes from the provider. Every comparison is constant-time
 * (safeEqual, from keys.ts).
 */
export { safeEqual };

/**
 * Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the auth token, of the full URL Twilio
 * called followed by every POST parameter sorted by name, each as name then value.
 *
 * @example
 * twilioSignature('12345', 'https://example.com/myapp.php?foo=1&bar=2',
 *   [['CallSid', 'CA1234567890ABCDE'], ['Caller', '+14158675310'], ['Digits', '1234'], ['From', '+14158675310'], ['To', '+18005551212']])
 * // 'L/OH5YylLD5NRKLltdqwSvS0BnU=' (the worked example of Twilio's security docs)
 */
export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  // Sorted by name, then value, as Twilio's own libraries do for repeated names.
  const sorted = [...params].sort(([ka, va], [kb, vb]) =>
    ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0,
  );
  const data = url + sorted.map(([k, v]) => k + v).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function verifyTwilio(
  authToken: string | undefined,
  url: string,
  params: Iterable<[string, string]>,
  header: string | undefined,
): boolean {
  if (!authToken || !header) return false;
  return safeEqual(twilioSignature(authToken, url, params), header);
}

/**
 * Meta's `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body bytes, keyed with
 * the app secret. The raw bytes, never a re-serialised parse: Meta escapes non-ASCII text.
 */
export function metaSignature(appSecret: string, raw: Uint8Array): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(raw).digest('hex');
}

export function verifyMeta(appSecret: string | undefined, raw: Uint8Array, header: string | undefined): boolean {
  if (!appSecret || !header) return false;
  return safeEqual(metaSignature(appSecret, raw), header.trim().toLowerCase());
}

/**
 * A shared-token check (Gupshup's callback, the sandbox hook): `Authorization: Bearer <token>` or,
 * for providers whose callback settings take only a URL, `?token=<token>`.
 */
export function verifyToken(
  expected: string | undefined | null,
  authorization: string | undefined,
  queryToken: string | undefined,
): boolean {
  if (!expected) return false;
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  const given = bearer ?? queryToken;
  if (!given) return false;
  return safeEqual(expected, given);
}
