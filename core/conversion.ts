/**
 * Conversion rates of the funnel: what share of views became consents, and of consents became
 * verified. Pure: it takes counts, never a store or a clock.
 *
 * Only the mechanisms that count views take part: the consent page (`qr`, `url`) and the widget
 * (`widget`), {@link WEB_VIAS}. A consent by SMS, first message or API follows no view, so adding it
 * to a view's consents would overstate the conversion of the views (one SMS consent turned 4 of 13
 * into 5 of 13); and those consents need no verification (an SMS and a WhatsApp reply come from the
 * phone itself, an API call is the business vouching), so they record no `verify` and would only
 * lower verified per consent.
 */
import { WEB_VIAS } from './verified-optin.js';

/** The counts of one funnel row that a conversion is made of. */
export interface ConversionCounts {
  /** The mechanism. */
  via: string;
  /** Consent page visits (link, QR code) and widget panel openings. */
  views: number;
  consents: number;
  verified: number;
}

/** The two rates, as fractions, or null when there is nothing to divide by. */
export interface Rates {
  /** Consents via qr, url and widget ÷ views. */
  consentRate: number | null;
  /** Verified consents via qr, url and widget ÷ consents via qr, url and widget. */
  verifiedRate: number | null;
}

/** A group's conversion: the counts its rates divide, and the rates. */
export interface Conversion extends Rates {
  /** The group: a mechanism (`via`) or a campaign (empty for none). */
  key: string;
  views: number;
  /** Consents via qr, url and widget (those that follow a view). */
  webConsents: number;
  /** Verifications of consents via qr, url and widget. */
  webVerified: number;
}

/** Whether a mechanism's consents follow a view (and start unverified). */
export const isWebVia = (via: string): boolean => (WEB_VIAS as readonly string[]).includes(via);

/**
 * `part ÷ whole`, or null when there is nothing to divide by: a rate of nothing is unknown, not 0 %
 * and never NaN or Infinity. It may pass 1: a period's consents can outnumber its views (views are
 * counted in memory and a crash loses the last few seconds; a browser may still run a widget cached
 * from before openings were counted), and verifications can come in a later period than their
 * consents.
 *
 * @example
 * rate(5, 20) // 0.25
 * rate(3, 0) // null
 */
export function rate(part: number, whole: number): number | null {
  return whole > 0 && Number.isFinite(part) ? part / whole : null;
}

/**
 * The conversion of funnel rows taken together (one row, a mechanism's, a campaign's or all of
 * them): views, the web consents and verifications, and their rates.
 *
 * @example
 * conversionOf([
 *   { via: 'qr', views: 10, consents: 2, verified: 1 },
 *   { via: 'sms', views: 0, consents: 5, verified: 0 },
 * ]) // { views: 10, webConsents: 2, webVerified: 1, consentRate: 0.2, verifiedRate: 0.5 }
 */
export function conversionOf(rows: readonly ConversionCounts[]): Omit<Conversion, 'key'> {
  let views = 0;
  let webConsents = 0;
  let webVerified = 0;
  for (const r of rows) {
    views += r.views;
    if (!isWebVia(r.via)) continue;
    webConsents += r.consents;
    webVerified += r.verified;
  }
  return {
    views,
    webConsents,
    webVerified,
    consentRate: rate(webConsents, views),
    verifiedRate: rate(webVerified, webConsents),
  };
}

/**
 * One funnel row with its rates added (what `GET …/stats` gives per row); a row of a mechanism
 * without views has neither.
 *
 * @example
 * withRates({ via: 'url', views: 20, consents: 5, verified: 1 }) // { …, consentRate: 0.25, verifiedRate: 0.2 }
 * withRates({ via: 'sms', views: 0, consents: 3, verified: 0 }) // { …, consentRate: null, verifiedRate: null }
 */
export function withRates<T extends ConversionCounts>(row: T): T & Rates {
  const { consentRate, verifiedRate } = conversionOf([row]);
  return { ...row, consentRate, verifiedRate };
}

/**
 * Rows grouped by `keyOf` (a mechanism, a campaign), with the conversion of each group; the busiest
 * groups first (views plus web consents), then by key. A group with no views, web consents or
 * verifications has no conversion and is left out (an SMS-only mechanism or campaign).
 *
 * @example
 * conversions([{ via: 'qr', views: 10, consents: 2, verified: 1 }], (r) => r.via)
 * // [{ key: 'qr', views: 10, webConsents: 2, webVerified: 1, consentRate: 0.2, verifiedRate: 0.5 }]
 */
export function conversions<R extends ConversionCounts>(rows: readonly R[], keyOf: (r: R) => string): Conversion[] {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const key = keyOf(r);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups]
    .map(([key, g]) => ({ key, ...conversionOf(g) }))
    .filter((c) => c.views + c.webConsents + c.webVerified > 0)
    .sort((a, b) => b.views + b.webConsents - (a.views + a.webConsents) || a.key.localeCompare(b.key));
}
