import type { Locale } from '../../core/locale.js';
import type { ConsentAction, UserState, Via } from '../../core/optin-state.js';
import type { AppSecrets, AppSettings } from '../app-settings.js';

export interface AppRecord {
  id: string;
  name: string;
  displayName: string;
  phone: string | null;
  live: boolean;
  settings: AppSettings;
  /** Never put into a response as they are. */
  secrets: AppSecrets;
  /** Set when the callback URL answered 410 Gone: no more user-events until it is changed. */
  callbackDisabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Wording {
  locale: Locale;
  version: number;
  template: string;
  createdAt: number;
}

export interface ConsentRecord {
  id: string;
  appId: string;
  phone: string;
  action: ConsentAction;
  via: Via;
  wordingVersion: number | null;
  wordingSha256: string | null;
  locale: Locale | null;
  at: number;
  ip: string | null;
  userAgent: string | null;
  page: string | null;
  campaign: string | null;
  ref: string | null;
  linkedId: string | null;
  actor: string | null;
  /**
   * What the record proves beyond its columns: a Click-to-WhatsApp `referral`, a number change's
   * `newPhone`/`previousPhone`, WhatsApp's `detail` of a preference.
   */
  detail?: Record<string, unknown> | null;
}

/** A person's state with one app: the users row. */
export interface UserRecord extends UserState {
  appId: string;
  phone: string;
  /** A web consent typed this number, but another number verified it. */
  flagged: boolean;
  /**
   * Other spellings of this person's number seen so far (a WhatsApp ID `521…` for `52…`, a Brazilian
   * ID without the ninth digit, `54…` for `549…`: core/phone-aliases.ts). `phone` is the canonical one.
   */
  aliases?: string[];
  createdAt: number;
  updatedAt: number;
}

export interface NewApp {
  id: string;
  name: string;
  displayName: string;
  phone: string | null;
  live: boolean;
  settings: AppSettings;
  secrets: AppSecrets;
  wording: Record<Locale, string>;
  apiKey: { id: string; hash: string; prefix: string };
}

export interface AppPatch {
  displayName?: string;
  phone?: string | null;
  live?: boolean;
  settings?: AppSettings;
  secrets?: AppSecrets;
  /** Set or clear the 410 mark; a new callback URL clears it. */
  callbackDisabledAt?: number | null;
  /** Locales whose wording changes: each becomes a new version. */
  wording?: Partial<Record<Locale, string>>;
}

/** The exact text a person was shown or sent, kept once by its SHA-256 (what a record's hash proves). */
export interface ShownText {
  sha256: string;
  text: string;
}

/** An outbound message or an inbound one, for a user's history. */
export interface MessageRecord {
  id: string;
  appId: string;
  phone: string;
  direction: 'in' | 'out';
  channel: 'whatsapp' | 'sms';
  text: string;
  at: number;
}

/**
 * The outbox (store/outbox.ts): user-events (`event`) and outbound provider messages (`message`).
 */
export type OutboxKind = 'event' | 'message';
export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxItem {
  id: string;
  appId: string;
  kind: OutboxKind;
  type: string;
  phone: string;
  body: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  /** Until when the worker that claimed it holds it; its result is written only while it does. */
  lockedUntil: number;
  /**
   * The item's place in the outbox, increasing with every item written: events about one person get
   * ever higher numbers (their changes are serialised by the users row lock), so it is the event's
   * per-person sequence, `data.seq`.
   */
  seq: number;
}

export interface OutboxAttempt {
  n: number;
  at: number;
  status: number | null;
  error: string | null;
  ms: number | null;
}

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
