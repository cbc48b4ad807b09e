export type Locale = 'en' | 'es' | 'pt';
export const LOCALES: readonly Locale[] = ['en', 'es', 'pt'];

export function isLocale(v: string): v is Locale {
  return (LOCALES as readonly string[]).includes(v);
}

/**
 * Picks a locale: an explicit choice first, then the Accept-Language header by its q-values,
 * then English. `pt-BR` counts as `pt`.
 *
 * @example
 * negotiateLocale(undefined, 'fr;q=0.9, es-MX;q=0.8') // 'es'
 */
export function negotiateLocale(explicit: string | undefined, acceptLanguage: string | undefined | null): Locale {
  if (explicit && isLocale(explicit)) return explicit;
  if (!acceptLanguage) return 'en';
  // Browsers send a handful of distinct headers; remember the answers (bounded).
  const known = seen.get(acceptLanguage);
  if (known) return known;
  const picked = fromHeader(acceptLanguage);
  if (seen.size >= 1000) seen.clear();
  seen.set(acceptLanguage, picked);
  return picked;
}

const seen = new Map<string, Locale>();

function fromHeader(acceptLanguage: string): Locale {
  const ranked = acceptLanguage
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0 && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) if (isLocale(r.lang)) return r.lang;
  return 'en';
}

/**
 * The region a browser names in Accept-Language (`es-MX` → `MX`), the most preferred first; null when
 * no tag names one. A default for the country picker only: never a reading of anyone's number.
 *
 * @example
 * regionOf('id-ID,id;q=0.9,en;q=0.8') // 'ID'
 * regionOf('en') // null
 */
export function regionOf(acceptLanguage: string | undefined | null): string | null {
  if (!acceptLanguage) return null;
  const ranked = acceptLanguage
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      const region = /^[a-z]{2,3}(?:-[a-z]{4})?-([a-z]{2})$/i.exec(tag.trim())?.[1];
      return { region: region?.toUpperCase() ?? null, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.region !== null && x.q > 0 && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.region ?? null;
}
