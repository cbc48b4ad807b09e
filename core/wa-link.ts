/**
 * Builds every WhatsApp redirect target. The server never redirects anywhere else, so this is the
 * only place a `Location` header for the consent flow can come from.
 */
export const DEFAULT_SANDBOX_NUMBER = '917834811114';

/**
 * `https://wa.me/<digits>?text=<encodeURIComponent(text)>`.
 * `encodeURIComponent` keeps `+`, `&`, `#`, emoji and right-to-left text intact through the redirect.
 *
 * @example
 * waMeLink('14155550123', 'Hi & bye #1') // 'https://wa.me/14155550123?text=Hi%20%26%20bye%20%231'
 */
export function waMeLink(phoneDigits: string, text?: string): string {
  if (!/^\d{6,15}$/.test(phoneDigits)) throw new Error('waMeLink: phone must be 6 to 15 digits');
  const base = `https://wa.me/${phoneDigits}`;
  // toWellFormed: a lone surrogate stored before text was checked on the way in would make
  // encodeURIComponent throw, and then nobody could reach WhatsApp.
  return text ? `${base}?text=${encodeURIComponent(text.toWellFormed())}` : base;
}

/** The text a tester sends to the shared sandbox number: exactly `PROXY <name>`. */
export function proxyText(appName: string): string {
  return `PROXY ${appName}`;
}

/** Reads `PROXY <name>` back out of an inbound sandbox message (case and spacing forgiven). */
export function parseProxyText(text: string): string | null {
  const m = /^\s*proxy\s+([A-Za-z][A-Za-z0-9_]{2,39})\s*$/i.exec(text);
  return m ? m[1]! : null;
}

/** What a prefill's page variables stand for: the page the person consented on, when it is known. */
export interface PageVars {
  title?: string | null;
  url?: string | null;
}

/**
 * Fills a prefill's page variables: `{title}` (the page's title) and `{url}` (its address). An unknown
 * page leaves them empty, and the spaces around an empty one collapse.
 *
 * @example
 * fillPageVars('About {title}: {url}', { title: 'Red shoes', url: 'https://shop.example/red' })
 * // 'About Red shoes: https://shop.example/red'
 */
export function fillPageVars(message: string, page: PageVars = {}): string {
  if (!/\{(title|url)\}/.test(message)) return message;
  const clean = (v: string | null | undefined, max: number) => (v ?? '').replace(/\s+/g, ' ').trim().slice(0, max);
  return message
    .replace(/\{title\}/g, () => clean(page.title, 200))
    .replace(/\{url\}/g, () => clean(page.url, 500))
    .replace(/ {2,}/g, ' ')
    .replace(/ ([:,.!?])/g, '$1');
}

/** The prefill of a live app: its message with the consent reference appended when enabled. */
export function livePrefill(message: string, ref: string | null, page?: PageVars): string {
  const trimmed = fillPageVars(message, page).trim();
  if (!ref) return trimmed;
  return trimmed ? `${trimmed} (ref ${ref})` : `(ref ${ref})`;
}

export interface RedirectApp {
  name: string;
  live: boolean;
  phone: string | null;
  prefill: string;
  refEnabled: boolean;
}

/**
 * Where a person goes after consenting. A live app with a phone goes to its own thread; anything
 * else goes to the sandbox proxy number with `PROXY <name>`.
 */
export function redirectTarget(app: RedirectApp, ref: string | null, sandboxNumber: string, page?: PageVars): string {
  if (app.live && app.phone) return waMeLink(app.phone, livePrefill(app.prefill, app.refEnabled ? ref : null, page));
  return waMeLink(sandboxNumber, proxyText(app.name));
}

/** Finds a consent reference in an inbound message, as written by {@link livePrefill}. */
export function findRef(text: string): string | null {
  const m = /\(ref ([A-Z2-9]{6})\)/i.exec(text);
  return m ? m[1]!.toUpperCase() : null;
}
