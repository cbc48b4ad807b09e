/**
 * The few words and rules both halves of the widget need: the loader (`widget.js`, no Lit) and the
 * panel (`widget-panel.js`). Kept apart from `i18n.ts` so the loader carries only these.
 */
export type Lang = 'en' | 'es' | 'pt';

/** The opener's accessible name (and the inline button's label). */
export const OPEN: Record<Lang, string> = {
  en: 'Chat on WhatsApp',
  es: 'Chatear por WhatsApp',
  pt: 'Conversar no WhatsApp',
};

export const CLOSE: Record<Lang, string> = { en: 'Close', es: 'Cerrar', pt: 'Fechar' };

/**
 * Picks the first supported language among the candidates, reading only the primary subtag.
 *
 * @example
 * pickLang('', 'pt-BR', 'en-US') // 'pt'
 */
export function pickLang(...candidates: (string | null | undefined)[]): Lang {
  for (const c of candidates) {
    const l = c?.slice(0, 2).toLowerCase() as Lang;
    // OPEN has a key per language (and no two-letter key comes from Object.prototype).
    if (l in OPEN) return l;
  }
  return 'en';
}

/** A phone by the widget's one rule: a coarse pointer or a mobile user agent. */
export const isPhone = (): boolean =>
  matchMedia('(pointer:coarse)').matches || /Mobi|Android/i.test(navigator.userAgent);

/** A speech bubble with a handset: the WhatsApp idea in few bytes (the official mark is ~1 KB). */
export const ICON =
  'M12 2a10 10 0 0 0-8.7 15L2 22l5.2-1.3A10 10 0 1 0 12 2Zm0 2a8 8 0 1 1-4 15l-3 .8.8-2.9A8 8 0 0 1 12 4ZM8.5 7C7.7 7 7 8 7 9c0 3.3 4.7 8 8 8 1 0 2-.7 2-1.5l-2.2-1.5-1.3 1c-1.4-.5-3-2-3.5-3.5l1-1.3L9.5 7Z';

/**
 * The hosted consent page for a widget that cannot post itself (its site is not allowed, or the
 * panel could not load): the same consent, recorded with via `widget` and the page it came from.
 */
export function hostedUrl(api: string, app: string, lang: Lang, campaign?: string | null): string {
  const q = new URLSearchParams({ via: 'widget', lang, page: location.href });
  if (campaign) q.set('c', campaign);
  return `${api}/o/${encodeURIComponent(app)}?${q}`;
}
