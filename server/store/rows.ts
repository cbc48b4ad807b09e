import type { Locale } from '../../core/locale.js';
import { AppSecretsSchema, AppSettingsSchema, type AppSecrets } from '../app-settings.js';
import { isSealed, type Keyring } from './secret-box.js';
import type {
  AppRecord,
  ConsentRecord,
  MessageRecord,
  OutboxAttempt,
  OutboxItem,
  OutboxKind,
  OutboxStatus,
  SessionRecord,
  UserRecord,
  Wording,
} from './types.js';

/**
 * Row mappers: a database row (snake_case columns; SQLite gives integers for booleans, PostgreSQL
 * gives strings for BIGINT unless told otherwise) to the record the rest of the code uses. Every
 * table's mapper is here, so a column is read the same way everywhere.
 */
export type Row = Record<string, unknown>;

export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));

/** What secrets are sealed to: the app's row, so a sealed value copied onto another app does not open. */
export const secretsAad = (appId: string) => `apps.secrets:${appId}`;

/** The `secrets` column as stored: sealed under the keyring (secret-box.ts), or JSON in the clear from before. */
export function sealSecrets(secrets: AppSecrets, appId: string, keyring: Keyring): string {
  return keyring.seal(JSON.stringify(secrets), secretsAad(appId));
}

export function toApp(r: Row, keyring: Keyring): AppRecord {
  const raw = (r.secrets as string | undefined) ?? '{}';
  return {
    id: r.id as string,
    name: r.name as string,
    displayName: r.display_name as string,
    phone: str(r.phone),
    live: Number(r.live) === 1,
    // Parsing fills defaults for settings added after the app was saved.
    settings: AppSettingsSchema.parse(JSON.parse(r.settings as string)),
    secrets: AppSecretsSchema.parse(JSON.parse(isSealed(raw) ? keyring.open(raw, secretsAad(r.id as string)) : raw)),
    callbackDisabledAt: num(r.callback_disabled_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toWording(r: Row): Wording {
  return {
    locale: r.locale as Locale,
    version: Number(r.version),
    template: r.template as string,
    createdAt: Number(r.created_at),
  };
}

export function toUser(r: Row): UserRecord {
  return {
    appId: r.app_id as string,
    phone: r.phone as string,
    optin: r.optin as UserRecord['optin'],
    via: (r.via as UserRecord['via']) ?? null,
    verified: Number(r.verified) === 1,
    flagged: Number(r.flagged ?? 0) === 1,
    aliases: typeof r.aliases === 'string' && r.aliases !== '' ? r.aliases.split(' ') : [],
    optinAt: num(r.optin_at),
    lastInboundAt: num(r.last_inbound_at),
    marketingStopped: Number(r.marketing_stopped ?? 0) === 1,
    marketingAt: num(r.marketing_at),
    movedTo: str(r.moved_to),
    movedAt: num(r.moved_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toConsent(r: Row): ConsentRecord {
  return {
    id: r.id as string,
    appId: r.app_id as string,
    phone: r.phone as string,
    action: r.action as ConsentRecord['action'],
    via: r.via as ConsentRecord['via'],
    wordingVersion: num(r.wording_version),
    wordingSha256: str(r.wording_sha256),
    locale: str(r.locale) as Locale | null,
    at: Number(r.at),
    ip: str(r.ip),
    userAgent: str(r.user_agent),
    page: str(r.page),
    campaign: str(r.campaign),
    ref: str(r.ref),
    linkedId: str(r.linked_id),
    actor: str(r.actor),
    detail: r.detail == null ? null : (JSON.parse(r.detail as string) as Record<string, unknown>),
  };
}

export function toMessage(r: Row): MessageRecord {
  return {
    id: r.id as string,
    appId: r.app_id as string,
    phone: r.phone as string,
    direction: r.direction as MessageRecord['direction'],
    channel: r.channel as MessageRecord['channel'],
    text: r.text as string,
    at: Number(r.at),
  };
}

export function toOutbox(r: Row): OutboxItem {
  return {
    id: r.id as string,
    appId: r.app_id as string,
    kind: r.kind as OutboxKind,
    type: r.type as string,
    phone: r.phone as string,
    body: JSON.parse(r.body as string),
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAt: Number(r.next_at),
    lastError: str(r.last_error),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lockedUntil: Number(r.locked_until ?? 0),
    seq: Number(r.seq),
  };
}

export function toAttempt(r: Row): OutboxAttempt {
  return { n: Number(r.n), at: Number(r.at), status: num(r.status), error: str(r.error), ms: num(r.ms) };
}

export function toSession(r: Row): SessionRecord {
  return {
    idHash: r.id_hash as string,
    appId: r.app_id as string,
    keyId: r.key_id as string,
    csrf: r.csrf as string,
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    expiresAt: Number(r.expires_at),
    revokedAt: num(r.revoked_at),
    keyRevokedAt: num(r.key_revoked_at),
  };
}
