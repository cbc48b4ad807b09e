import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Deps } from '../deps.js';
import { parseApiKey, safeEqual, sha256 } from '../keys.js';
import type { AppRecord } from '../store/index.js';
import { findApiKey } from '../store/keys.js';
import {
  createSession,
  findSession,
  revokeAppSessions,
  revokeSession,
  touchSession,
  type SessionRecord,
} from '../store/sessions.js';

/** A session ends after 12 hours without use, and 7 days after sign-in whatever happens. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so that browsing costs no write per page. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

/** The cookie's name without its prefix; hono's `prefix: 'host'` makes it `__Host-optin_session`. */
export const SESSION_COOKIE = 'optin_session';

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ActiveSession {
  app: AppRecord;
  session: SessionRecord;
  /** The hash the store knows it by. */
  idHash: string;
}

export type SignInResult =
  { ok: true; cookie: string; app: AppRecord } | { ok: false; reason: 'invalid_key' | 'revoked_key' };

/** Whether a stored session may still be used at `now`: not signed out, not expired, its key not rotated away. */
export function sessionUsable(s: SessionRecord, now: number): boolean {
  return s.revokedAt === null && s.keyRevokedAt === null && now < s.expiresAt && now < s.lastSeenAt + SESSION_IDLE_MS;
}

/**
 * Exchanges an API key for a new session. The key is checked as the business API checks it (by id,
 * hash compared in constant time, not revoked). A fresh random id is made on every sign-in, and the
 * cookie the browser came with (`previous`) is revoked, never adopted.
 */
export async function signIn(deps: Deps, key: string, previous: string | undefined): Promise<SignInResult> {
  const parsed = parseApiKey(key.trim());
  const row = parsed ? await deps.store.read(findApiKey, parsed.id) : null;
  if (!row || !safeEqual(row.hash, sha256(key.trim()))) return { ok: false, reason: 'invalid_key' };
  if (row.revokedAt !== null) return { ok: false, reason: 'revoked_key' };
  const app = await deps.apps.byId(row.appId);
  if (!app) return { ok: false, reason: 'invalid_key' };
  const id = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  await deps.store.transact(createSession, {
    idHash: sha256(id),
    appId: app.id,
    keyId: row.id,
    csrf: randomBytes(32).toString('base64url'),
    now,
    expiresAt: now + SESSION_MAX_MS,
    replacing: previous && ID_PATTERN.test(previous) ? sha256(previous) : null,
  });
  return { ok: true, cookie: id, app };
}

/** The session a cookie names, if it is usable now; refreshes its idle timer now and then. */
export async function loadSession(deps: Deps, cookie: string | undefined): Promise<ActiveSession | null> {
  if (!cookie || !ID_PATTERN.test(cookie)) return null;
  const idHash = sha256(cookie);
  const session = await deps.store.read(findSession, idHash);
  const now = deps.clock.now();
  if (!session || !sessionUsable(session, now)) return null;
  const app = await deps.apps.byId(session.appId);
  if (!app) return null;
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await deps.store.transact(touchSession, idHash, now);
  return { app, session, idHash };
}

/** The form token of a session, compared in constant time. */
export function csrfOk(s: ActiveSession, token: string | undefined): boolean {
  return typeof token === 'string' && token.length > 0 && safeEqual(token, s.session.csrf);
}

export function signOut(deps: Deps, s: ActiveSession): Promise<number> {
  return deps.store.transact(revokeSession, s.idHash, deps.clock.now());
}

/** "Refresh access": ends every session of the app, this one included. */
export function refreshAccess(deps: Deps, s: ActiveSession): Promise<number> {
  return deps.store.transact(revokeAppSessions, s.app.id, deps.clock.now());
}

/**
 * How the opt-ins screen names a person in its links and forms (`?p=`): the number sealed with
 * AES-256-GCM under a key derived from this session's own secret (the hash of its cookie id, which
 * never leaves the server). The reference shows nothing of the number in history, logs or the
 * status bar, and opens nothing in another session or after this one ends.
 */
export interface PhoneRefs {
  ref: (phone: string) => string;
  phone: (ref: string | null | undefined) => string | null;
}

const REF_IV = 12;
const REF_TAG = 16;
/** 12 + 16 + 15 bytes of a phone at most, in base64url. */
export const MAX_PHONE_REF = 64;

export function phoneRefs(s: Pick<ActiveSession, 'idHash'>): PhoneRefs {
  const key = createHmac('sha256', s.idHash).update('optin-kit settings phone-ref v1').digest();
  return {
    ref(phone) {
      const iv = randomBytes(REF_IV);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    phone(ref) {
      if (!ref || ref.length > MAX_PHONE_REF || !/^[A-Za-z0-9_-]+$/.test(ref)) return null;
      const raw = Buffer.from(ref, 'base64url');
      if (raw.length <= REF_IV + REF_TAG) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, REF_IV));
        decipher.setAuthTag(raw.subarray(REF_IV, REF_IV + REF_TAG));
        const p = Buffer.concat([decipher.update(raw.subarray(REF_IV + REF_TAG)), decipher.final()]).toString('utf8');
        return /^\d{6,15}$/.test(p) ? p : null;
      } catch {
        return null;
      }
    },
  };
}
