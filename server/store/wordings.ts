import type { Locale } from '../../core/locale.js';
import { all, get, run, type Body } from './driver.js';
import { num, toWording, type Row } from './rows.js';
import type { Wording } from './types.js';

/**
 * Consent wordings, versioned per app and locale: a change adds a version and old ones stay,
 * because consent records point at them.
 */

/** Adds a version of a locale's wording, unless the text is the newest version's already. */
export function* addWording(appId: string, locale: Locale, template: string, now: number): Body<void> {
  const cur = yield* get<Row>('SELECT MAX(version) AS v FROM wordings WHERE app_id = ? AND locale = ?', [
    appId,
    locale,
  ]);
  const version = num(cur?.v) ?? 0;
  const latest = yield* get<Row>('SELECT template FROM wordings WHERE app_id = ? AND locale = ? AND version = ?', [
    appId,
    locale,
    version,
  ]);
  if (latest && latest.template === template) return;
  yield* run('INSERT INTO wordings (app_id, locale, version, template, created_at) VALUES (?, ?, ?, ?, ?)', [
    appId,
    locale,
    version + 1,
    template,
    now,
  ]);
}

/** The newest wording version per locale. */
export function* currentWordings(appId: string): Body<Record<Locale, Wording>> {
  const rows = yield* all<Row>(
    `SELECT w.* FROM wordings w
     JOIN (SELECT locale, MAX(version) AS v FROM wordings WHERE app_id = ? GROUP BY locale) m
       ON m.locale = w.locale AND m.v = w.version
     WHERE w.app_id = ?`,
    [appId, appId],
  );
  const out = {} as Record<Locale, Wording>;
  for (const r of rows) out[r.locale as Locale] = toWording(r);
  return out;
}

/** Every version ever shown, oldest first: consent records point at them. */
export function* wordingHistory(appId: string): Body<Wording[]> {
  return (yield* all<Row>('SELECT * FROM wordings WHERE app_id = ? ORDER BY locale, version', [appId])).map(toWording);
}
