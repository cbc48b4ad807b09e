import { get, run, type Body } from './driver.js';
import { num, type Row } from './rows.js';

/** API keys: only their SHA-256 is stored, found by the key's public id. */

export interface ApiKeyRecord {
  id: string;
  appId: string;
  hash: string;
  revokedAt: number | null;
}

export function* findApiKey(id: string): Body<ApiKeyRecord | null> {
  const r = yield* get<Row>('SELECT id, app_id, hash, revoked_at FROM api_keys WHERE id = ?', [id]);
  return r
    ? { id: r.id as string, appId: r.app_id as string, hash: r.hash as string, revokedAt: num(r.revoked_at) }
    : null;
}

/** Rotates an app's API keys: the new one is stored (hashed), every older one is revoked. */
export function* rotateKey(
  appId: string,
  key: { id: string; hash: string; prefix: string },
  now: number,
): Body<number> {
  const revoked = yield* run('UPDATE api_keys SET revoked_at = ? WHERE app_id = ? AND revoked_at IS NULL', [
    now,
    appId,
  ]);
  yield* run('INSERT INTO api_keys (id, app_id, hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)', [
    key.id,
    appId,
    key.hash,
    key.prefix,
    now,
  ]);
  return revoked;
}
