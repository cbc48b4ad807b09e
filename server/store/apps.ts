import { LOCALES } from '../../core/locale.js';
import { all, dialect, get, keyring, run, signal, type Body } from './driver.js';
import { sealSecrets, toApp, type Row } from './rows.js';
import { SecretsKeyMissing, sealedKeyId } from './secret-box.js';
import { type AppPatch, type AppRecord, type NewApp } from './types.js';
import { addWording } from './wordings.js';

/** Apps: one row each, found by id or by name without regard to case. */

export function* appById(id: string): Body<AppRecord | null> {
  const r = yield* get<Row>('SELECT * FROM apps WHERE id = ?', [id]);
  return r ? toApp(r, yield* keyring()) : null;
}

/** Finds an app by name, without regard to case. */
export function* appByName(name: string): Body<AppRecord | null> {
  const r = yield* get<Row>('SELECT * FROM apps WHERE name_key = ?', [name.toLowerCase()]);
  return r ? toApp(r, yield* keyring()) : null;
}

export function* listApps(): Body<AppRecord[]> {
  const kr = yield* keyring();
  return (yield* all<Row>('SELECT * FROM apps ORDER BY created_at, id')).map((r) => toApp(r, kr));
}

export function* countApps(): Body<number> {
  return Number((yield* get<Row>('SELECT COUNT(*) AS n FROM apps'))?.n ?? 0);
}

/** The app's `updated_at`: its version, which caches of its wording are keyed on. */
export function* appVersion(id: string): Body<number | null> {
  const r = yield* get<Row>('SELECT updated_at FROM apps WHERE id = ?', [id]);
  return r ? Number(r.updated_at) : null;
}

/**
 * Creates an app with its first wording of each locale and its first API key. Null when the name
 * is taken (without regard to case), also when another creation wins a race for it.
 */
export function* insertApp(a: NewApp, now: number): Body<AppRecord | null> {
  const taken = yield* get<Row>('SELECT id FROM apps WHERE name_key = ?', [a.name.toLowerCase()]);
  if (taken) return null;
  const inserted = yield* run(
    `INSERT INTO apps (id, name, name_key, display_name, phone, live, settings, secrets, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      a.id,
      a.name,
      a.name.toLowerCase(),
      a.displayName,
      a.phone,
      a.live ? 1 : 0,
      JSON.stringify(a.settings),
      sealSecrets(a.secrets, a.id, yield* keyring()),
      now,
      now,
    ],
  );
  if (inserted === 0) return null;
  for (const l of LOCALES) yield* addWording(a.id, l, a.wording[l], now);
  yield* run('INSERT INTO api_keys (id, app_id, hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)', [
    a.apiKey.id,
    a.id,
    a.apiKey.hash,
    a.apiKey.prefix,
    now,
  ]);
  yield* signal({ kind: 'app', id: a.id });
  return yield* appById(a.id);
}

/**
 * Reads the app's current row (locked on PostgreSQL), lets `change` compute the patch from it (it
 * may throw to refuse), and writes it: two concurrent changes of different settings both survive.
 * `updated_at` only grows, so caches keyed on it never collide.
 */
export function* updateApp(id: string, change: (cur: AppRecord) => AppPatch, now: number): Body<AppRecord> {
  const lock = (yield* dialect()) === 'postgres' ? ' FOR UPDATE' : '';
  const row = yield* get<Row>(`SELECT * FROM apps WHERE id = ?${lock}`, [id]);
  if (!row) throw new Error(`no app ${id}`);
  const kr = yield* keyring();
  const cur = toApp(row, kr);
  const p = change(cur);
  const at = Math.max(now, cur.updatedAt + 1);
  yield* run(
    'UPDATE apps SET display_name = ?, phone = ?, live = ?, settings = ?, secrets = ?, callback_disabled_at = ?, updated_at = ? WHERE id = ?',
    [
      p.displayName ?? cur.displayName,
      p.phone === undefined ? cur.phone : p.phone,
      (p.live ?? cur.live) ? 1 : 0,
      JSON.stringify(p.settings ?? cur.settings),
      sealSecrets(p.secrets ?? cur.secrets, id, kr),
      p.callbackDisabledAt === undefined ? cur.callbackDisabledAt : p.callbackDisabledAt,
      at,
      id,
    ],
  );
  for (const l of LOCALES) {
    const t = p.wording?.[l];
    if (t !== undefined) yield* addWording(id, l, t, at);
  }
  yield* signal({ kind: 'app', id });
  return (yield* appById(id))!;
}

/** A 410 Gone: the app gets no more user-events until its callback URL is set again. */
export function* disableCallback(appId: string, now: number): Body<void> {
  const n = yield* run('UPDATE apps SET callback_disabled_at = ? WHERE id = ? AND callback_disabled_at IS NULL', [
    now,
    appId,
  ]);
  if (n) yield* signal({ kind: 'app', id: appId });
}

/**
 * Seals again, under the keyring's current key, every app's secrets that are in the clear (stored
 * before secrets were encrypted) or, with `all`, sealed under an older key (`optin-kit secrets
 * rotate`). Refuses, naming the key, when some are sealed under a key the keyring does not have.
 * Each row changes only if nobody changed it meanwhile.
 */
export function* resealSecrets(o: { all: boolean }): Body<{ sealed: number; unchanged: number }> {
  const kr = yield* keyring();
  const rows = yield* all<Row>('SELECT id, secrets FROM apps ORDER BY id');
  const missing = rows.map((r) => sealedKeyId(r.secrets as string)).find((id) => id !== null && !kr.has(id));
  if (missing) throw new SecretsKeyMissing(missing);
  let sealed = 0;
  for (const r of rows) {
    const raw = r.secrets as string;
    const id = sealedKeyId(raw);
    if (id === kr.currentId || (id !== null && !o.all)) continue;
    const app = toApp((yield* get<Row>('SELECT * FROM apps WHERE id = ?', [r.id as string]))!, kr);
    sealed += yield* run('UPDATE apps SET secrets = ? WHERE id = ? AND secrets = ?', [
      sealSecrets(app.secrets, app.id, kr),
      app.id,
      raw,
    ]);
  }
  return { sealed, unchanged: rows.length - sealed };
}
