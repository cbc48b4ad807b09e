import { activityAt, type Activity, type OptinStatus, type Via } from '../../core/optin-state.js';
import { purposesOf, type Purpose } from '../../core/purposes.js';
import { effectiveOptin } from '../../core/verified-optin.js';
import type { UserRecord } from '../store/index.js';

/** A user as the business sees them (the API, the export, the Settings page). */
export interface UserJson {
  phone: string;
  /** Other spellings of the same number this person was seen under (core/phone-aliases.ts). */
  aliases: string[];
  optin: OptinStatus;
  activity: Activity;
  via: Via | null;
  verified: boolean;
  flagged: boolean;
  optinAt: string | null;
  lastInboundAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The status per purpose (core/purposes.ts): marketing differs once WhatsApp reported a stop. */
  purposes: Record<Purpose, OptinStatus>;
  /** The number the person moved to, when WhatsApp reported a number change away from this one. */
  movedTo: string | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The opt-in is read through the app's unverifiedCountsAsOptin (core/verified-optin.ts). */
export function userView(u: UserRecord, now: number, unverifiedCountsAsOptin = true): UserJson {
  return {
    phone: u.phone,
    aliases: u.aliases ?? [],
    optin: effectiveOptin(u, unverifiedCountsAsOptin),
    activity: activityAt(u.lastInboundAt, now),
    via: u.via,
    verified: u.verified,
    flagged: u.flagged ?? false,
    optinAt: iso(u.optinAt),
    lastInboundAt: iso(u.lastInboundAt),
    createdAt: iso(u.createdAt)!,
    updatedAt: iso(u.updatedAt)!,
    purposes: purposesOf({ ...u, marketingStopped: u.marketingStopped ?? false }, unverifiedCountsAsOptin),
    movedTo: u.movedTo ?? null,
  };
}
