import { get, run, type Body } from './driver.js';
import { toSession, type Row } from './rows.js';
import type { SessionRecord } from './types.js';

/** Settings-page sessions. Only the SHA-256 of the cookie's id is stored. */

export type { SessionRecord } from './types.js';

/**
 * Stores a new session. `replacing` is the id hash of the cookie the browser came with, if any: it
 * is revoked in the same transaction, so signing in never keeps (or adopts) an earlier session.
 * The app's expired sessions are deleted on the way, so that their rows do not pile up.
 */
export function* createSession(s: {
  idHash: string;
  appId: string;
  keyId: string;
  csrf: string;
  now: number;
  expiresAt: number;
  replacing: string | null;
}): Body<void> {
  if (s.replacing)
    yield* run('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL', [s.now, s.replacing]);
  yield* run('DELETE FROM sessions WHERE app_id = ? AND expires_at <= ?', [s.appId, s.now]);
  yield* run(
    'INSERT INTO sessions (id_hash, app_id, key_id, csrf, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [s.idHash, s.appId, s.keyId, s.csrf, s.now, s.now, s.expiresAt],
  );
}

/**
 * A session by the hash of its id, with the state of the key that opened it. Validity is the caller's
 * rule. A session whose key row is gone is not found at all: it fails closed.
 */
export function* findSession(idHash: string): Body<SessionRecord | null> {
  const r = yield* get<Row>(
    `SELECT s.*, k.revoked_at AS key_revoked_at FROM sessions s INNER JOIN api_keys k ON k.id = s.key_id WHERE s.id_hash = ?`,
    [idHash],
  );
  return r ? toSession(r) : null;
}

/** Marks a session as seen now (the idle timeout counts from here). */
export function* touchSession(idHash: string, now: number): Body<void> {
  yield* run('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?', [now, idHash, now]);
}

/** Signs one session out. */
export function* revokeSession(idHash: string, now: number): Body<number> {
  return yield* run('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL', [now, idHash]);
}

/** "Refresh access": every session of the app ends at once. Old, ended sessions are cleared away too. */
export function* revokeAppSessions(appId: string, now: number): Body<number> {
  const n = yield* run('UPDATE sessions SET revoked_at = ? WHERE app_id = ? AND revoked_at IS NULL', [now, appId]);
  yield* run('DELETE FROM sessions WHERE app_id = ? AND expires_at < ?', [appId, now - 30 * 86_400_000]);
  return n;
}
