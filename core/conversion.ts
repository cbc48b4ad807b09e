/**
 * Conversion rates of the funnel: what share of views became consents, and of consents became
 * verified. Pure: it takes counts, never a store or a clock.
 */

/** The three counts a conversion is made of. */
export interface ConversionCounts {
  /** Consent page visits (link, QR code) and widget panel openings. */
  views: number;
  consents: number;
  verified: number;
}

export interface Conversion extends ConversionCounts {
  /** The group: a mechanism (`via`) or a campaign (empty for none). */
  key: string;
  /** consents ÷ views, or null when there were no views (the message mechanisms have none). */
  consentRate: number | null;
  /** verified ÷ consents, or null when there were no consents. */
  verifiedRate: number | null;
}

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

/** The rates of one set of counts. */
export function withRates<T extends ConversionCounts>(
  c: T,
): T & { consentRate: number | null; verifiedRate: number | null } {
  return { ...c, consentRate: rate(c.consents, c.views), verifiedRate: rate(c.verified, c.consents) };
}

/**
 * Rows grouped by `keyOf` (a mechanism, a campaign), their counts added up and their rates worked
 * out; the busiest groups first (views plus consents), then by key.
 *
 * @example
 * conversions([{ via: 'qr', views: 10, consents: 2, verified: 1 }], (r) => r.via)
 * // [{ key: 'qr', views: 10, consents: 2, verified: 1, consentRate: 0.2, verifiedRate: 0.5 }]
 */
export function conversions<R extends ConversionCounts>(rows: readonly R[], keyOf: (r: R) => string): Conversion[] {
  const groups = new Map<string, ConversionCounts>();
  for (const r of rows) {
    const key = keyOf(r);
    const g = groups.get(key) ?? { views: 0, consents: 0, verified: 0 };
    groups.set(key, { views: g.views + r.views, consents: g.consents + r.consents, verified: g.verified + r.verified });
  }
  return [...groups]
    .map(([key, c]) => withRates({ key, ...c }))
    .sort((a, b) => b.views + b.consents - (a.views + a.consents) || a.key.localeCompare(b.key));
}
