import { createHmac } from 'node:crypto';
import { parse, stringify } from 'node:querystring';
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

/** Splits a URL without normalising it, so the path and query keep the characters Twilio signed. */
function splitUrl(url: string): { scheme: string; host: string; port: string; rest: string } | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!m) return null;
  const authority = m[2]!;
  // Credentials never appear in PUBLIC_URL; a colon after an IPv6 literal's bracket starts the port.
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const portAt = host.indexOf(':', host.lastIndexOf(']') + 1);
  return {
    scheme: m[1]!,
    host: authority.slice(0, authority.length - host.length) + (portAt === -1 ? host : host.slice(0, portAt)),
    port: portAt === -1 ? '' : host.slice(portAt),
    rest: url.slice(m[0].length),
  };
}

const withoutPort = (url: string) => {
  const p = splitUrl(url);
  return p ? p.scheme + p.host + p.rest : url;
};

const withPort = (url: string) => {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  return p.scheme + p.host + (p.scheme.toLowerCase() === 'https://' ? ':443' : ':80') + p.rest;
};

/** The query re-encoded as Node's legacy `querystring` does (some back ends signed that form). */
function legacyQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return url;
  return url.slice(0, q) + '?' + stringify(parse(url.slice(q + 1)));
}

/**
 * The URLs a Twilio signature may have been computed over, in the order twilio-node's
 * `validateRequest` tries them (lib/webhooks/webhooks.js, twilio 6.x): the URL as received without
 * and with its port (`:443`/`:80` when none is written), then the URL as `new URL()` normalises it,
 * without and with the port, each also with its query re-encoded the legacy way. A bare trailing `?`
 * is kept as received.
 *
 * @example
 * twilioUrlCandidates('https://example.com/sms?')
 * // ['https://example.com/sms?', 'https://example.com:443/sms?', …]
 */
export function twilioUrlCandidates(url: string): string[] {
  const out = [withoutPort(url), withPort(url)];
  let normal: string;
  try {
    normal = new URL(url).toString();
  } catch {
    return out;
  }
  const a = withoutPort(normal);
  const b = withPort(normal);
  out.push(a, b, legacyQuery(a), legacyQuery(b));
  return [...new Set(out)];
}

/** Checks `X-Twilio-Signature` against every URL form Twilio's own SDK accepts (twilioUrlCandidates). */
export function verifyTwilio(
  authToken: string | undefined,
  url: string,
  params: Iterable<[string, string]>,
  header: string | undefined,
): boolean {
  if (!authToken || !header) return false;
  const list = [...params];
  return twilioUrlCandidates(url).some((u) => safeEqual(twilioSignature(authToken, u, list), header));
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
