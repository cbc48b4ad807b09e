import type { Locale } from '../../core/locale.js';
import type { ConsentAction, OptinStatus, Via } from '../../core/optin-state.js';
import type { AppSecrets, AppSettings } from '../settings.js';

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
}

export interface UserRecord {
  appId: string;
  phone: string;
  optin: OptinStatus;
  via: Via | null;
  verified: boolean;
  /** A web consent typed this number, but another number verified it. */
  flagged?: boolean;
  optinAt: number | null;
  lastInboundAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type FunnelMetric = 'view' | 'consent' | 'redirect' | 'verified' | 'opt_out';

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

export interface NewConsent {
  id: string;
  appId: string;
  phone: string;
  action: ConsentAction;
  via: Via;
  wording: { version: number; sha256: string; text: string } | null;
  locale: Locale | null;
  at: number;
  ip: string | null;
  userAgent: string | null;
  page: string | null;
  campaign: string | null;
  ref: string | null;
  actor: string | null;
  /** Whether the phone itself confirmed this consent (SMS, first message). */
  verified: boolean;
  /**
   * Where a resulting user-event goes: when set and the user's state changes, an `opted-in`,
   * `opted-out` or `verified` event is written to the outbox in the same transaction.
   */
  notify?: { name: string; callbackUrl: string | null };
}

export class NameTaken extends Error {
  constructor(readonly appName: string) {
    super(`an app named ${appName} already exists`);
    this.name = 'NameTaken';
  }
}

export class RefTaken extends Error {
  constructor() {
    super('consent reference already in use');
    this.name = 'RefTaken';
  }
}
