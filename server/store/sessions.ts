import { get, run } from './driver.js';
import type { Store } from './store.js';

type Row = Record<string, unknown>;

/** A Settings-page session as stored: the cookie's id only as its SHA-256. */
export interface SessionRecord {
  idHash: string;
  appId: string;
  keyId: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** When the API key that opened the session was revoked (rotated away), if it was. */
  keyRevokedAt: number | null;
}

const toSession = (r: Row): SessionRecord => ({
  idHash: r.id_hash as string,
  appId: r.app_id as string,
  keyId: r.key_id as string,
  csrf: r.csrf as string,
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  expiresAt: Number(r.expires_at),
  revokedAt: r.revoked_at === null || r.revoked_at === undefined ? null : Number(r.revoked_at),
  keyRevokedAt: r.key_revoked_at === null || r.key_revoked_at === undefined ? null : Number(r.key_revoked_at),
});

/**
 * Stores a new session. `replacing` is the id hash of the cookie the browser came with, if any: it
 * is revoked in the same transaction, so signing in never keeps (or adopts) an earlier session.
 * The app's expired sessions are deleted on the way, so that their rows do not pile up.
 */
export function createSession(store: Store, s: { idHash: string; appId: string; keyId: string; csrf: string; now: number; expiresAt: number; replacing: string | null }): Promise<void> {
  return store.driver.transact(function* () {
    if (s.replacing) yield* run('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL', [s.now, s.replacing]);
    yield* run('DELETE FROM sessions WHERE app_id = ? AND expires_at <= ?', [s.appId, s.now]);
    yield* run('INSERT INTO sessions (id_hash, app_id, key_id, csrf, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      s.idHash,
      s.appId,
      s.keyId,
      s.csrf,
      s.now,
      s.now,
      s.expiresAt,
    ]);
  });
}

/**
 * A session by the hash of its id, with the state of the key that opened it. Validity is the caller's
 * rule. A session whose key row is gone is not found at all: it fails closed.
 */
export function findSession(store: Store, idHash: string): Promise<SessionRecord | null> {
  return store.driver.read(function* () {
    const r = yield* get<Row>(
      `SELECT s.*, k.revoked_at AS key_revoked_at FROM sessions s INNER JOIN api_keys k ON k.id = s.key_id WHERE s.id_hash = ?`,
      [idHash],
    );
    return r ? toSession(r) : null;
  });
}

/** Marks a session as seen now (the idle timeout counts from here). */
export function touchSession(store: Store, idHash: string, now: number): Promise<void> {
  return store.driver.transact(function* () {
    yield* run('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?', [now, idHash, now]);
  });
}

/** Signs one session out. */
export function revokeSession(store: Store, idHash: string, now: number): Promise<number> {
  return store.driver.transact(function* () {
    return yield* run('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL', [now, idHash]);
  });
}

/** "Refresh access": every session of the app ends at once. Old, ended sessions are cleared away too. */
export function revokeAppSessions(store: Store, appId: string, now: number): Promise<number> {
  return store.driver.transact(function* () {
    const n = yield* run('UPDATE sessions SET revoked_at = ? WHERE app_id = ? AND revoked_at IS NULL', [now, appId]);
    yield* run('DELETE FROM sessions WHERE app_id = ? AND expires_at < ?', [appId, now - 30 * 86_400_000]);
    return n;
  });
}
