/**
 * What a marketer types as a site (`shop.example.com`, `https://shop.example.com/`,
 * `127.0.0.1:31201`, `https://shop.example.com/checkout?x=1`) becomes the origin a browser sends
 * (`https://shop.example.com`, `http://127.0.0.1:31201`): scheme, lower-case host and a port other
 * than the scheme's default, nothing else. Without a scheme, loopback and private addresses get
 * `http:` (local development servers rarely have TLS) and every other host `https:`.
 * Returns null for what cannot be a web origin (another scheme, credentials, no host, spaces).
 *
 * @example
 * normalizeOrigin('127.0.0.1:31201') // 'http://127.0.0.1:31201'
 * normalizeOrigin('https://Shop.Example.com/cart/') // 'https://shop.example.com'
 * normalizeOrigin('ftp://example.com') // null
 */
export function normalizeOrigin(input: string): string | null {
  const v = input.trim();
  if (!v || v.length > 500 || /\s/.test(v)) return null;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(v);
  if (!hasScheme && /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(v)) return null; // mailto:, javascript:…
  let u: URL;
  try {
    u = new URL(hasScheme ? v : `${localHost(v) ? 'http' : 'https'}://${v}`);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username || u.password || !u.hostname) return null;
  // A host needs a dot, or must be localhost or an IPv6 literal: "shop" alone is a typo.
  if (!u.hostname.includes('.') && u.hostname !== 'localhost' && !u.hostname.startsWith('[')) return null;
  return u.origin;
}

/** Loopback, private (RFC 1918), link-local, `localhost` and `*.localhost` hosts, as typed without a scheme. */
function localHost(v: string): boolean {
  const host = (/^\[[^\]]*\]/.exec(v)?.[0] ?? v.split(/[/:?#]/)[0] ?? '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\./.test(host) ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^169\.254\./.test(host)
  );
}
