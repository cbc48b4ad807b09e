import { randomUUID } from 'node:crypto';
import { isValidAppName } from '../../core/app-name.js';
import { LOCALES, type Locale } from '../../core/locale.js';
import { normalizeInternational } from '../../core/phone.js';
import { describeTextProblem, displayNameProblem, shownTextProblem } from '../../core/text.js';
import { checkWording, DEFAULT_WORDING } from '../../core/wording.js';
import { ApiError } from '../errors.js';
import { newApiKey, newWebhookSecret } from '../keys.js';
import {
  AppSecretsSchema,
  AppSettingsPatchSchema,
  AppSettingsSchema,
  type AppSecrets,
  type AppSecretsPatch,
  type AppSettingsPatch,
  type WidgetSettings,
  type WidgetSettingsPatch,
} from '../app-settings.js';
import { insertApp, resealSecrets, updateApp as updateAppRow } from '../store/apps.js';
import { type AppPatch, type AppRecord, type Store } from '../store/index.js';
import { UniqueViolation } from '../store/driver.js';

export interface CreateAppInput {
  name: string;
  displayName: string;
  phone?: string | null;
  live?: boolean;
  settings?: AppSettingsPatch;
  wording?: Partial<Record<Locale, string>>;
}

/** The business's own number, as the API or the CLI gives it: international digits, with or without `+`. */
function phoneOrThrow(phone: string | null | undefined): string | null {
  if (phone === undefined || phone === null || phone === '') return null;
  const r = normalizeInternational(phone);
  if (!r.ok)
    throw new ApiError(
      422,
      'invalid_phone',
      `"${phone}" is not a valid phone number. Include the country code, for example +14155550123.`,
    );
  return r.phone;
}

/**
 * The business name people see, trimmed: 1 to 60 characters, with no control or bidi-override
 * character (they spoof other names and break TwiML answers).
 */
function checkDisplayName(raw: string): string {
  const displayName = raw.trim();
  if (displayName.length < 1 || [...displayName].length > 60)
    throw new ApiError(422, 'invalid_display_name', 'displayName must be 1 to 60 characters.');
  const problem = displayNameProblem(displayName);
  if (problem) throw new ApiError(422, 'invalid_display_name', `displayName ${describeTextProblem(problem)}.`);
  return displayName;
}

function checkWordings(w: Partial<Record<Locale, string>> | undefined): void {
  for (const l of LOCALES) {
    const t = w?.[l];
    if (t === undefined) continue;
    const bad = shownTextProblem(t);
    if (bad) throw new ApiError(422, 'invalid_wording', `wording.${l} ${describeTextProblem(bad)}`);
    const problem = checkWording(t, l);
    if (problem) throw new ApiError(422, 'invalid_wording', `wording.${l} ${problem}`);
  }
}

/**
 * What a change sets, by the rules of a change (the text rules of core/text.ts among them). The merged
 * settings are parsed again after, by the rules stored settings are read with.
 */
function checkSettingsPatch(patch: AppSettingsPatch | undefined): void {
  const r = AppSettingsPatchSchema.safeParse(patch ?? {});
  if (!r.success)
    throw new ApiError(
      422,
      'invalid_settings',
      r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
}

function checkLive(live: boolean, phone: string | null): void {
  if (live && !phone)
    throw new ApiError(422, 'phone_required', 'An app can go live only once its WhatsApp phone number is set.');
}

/**
 * Creates an app and its first API key. The key is returned once and only its hash is kept.
 * Shared by `POST /api/v1/apps` and `optin-kit apps create`.
 */
export async function createApp(
  store: Store,
  input: CreateAppInput,
  now: number,
): Promise<{ app: AppRecord; apiKey: string }> {
  if (!isValidAppName(input.name)) {
    throw new ApiError(
      422,
      'invalid_name',
      'name must start with a letter and have 3 to 40 letters, digits or underscores.',
    );
  }
  const displayName = checkDisplayName(input.displayName);
  checkSettingsPatch(input.settings);
  const parsed = AppSettingsSchema.safeParse(input.settings ?? {});
  if (!parsed.success)
    throw new ApiError(
      422,
      'invalid_settings',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const settings = parsed.data;
  if (!settings.prefill) settings.prefill = `Hi ${displayName}!`;
  const phone = phoneOrThrow(input.phone);
  checkLive(input.live ?? false, phone);
  checkWordings(input.wording);
  const wording = { ...DEFAULT_WORDING, ...input.wording } as Record<Locale, string>;
  const key = newApiKey();
  const secrets = AppSecretsSchema.parse({ webhookSecret: newWebhookSecret() });
  const taken = () => new ApiError(409, 'name_taken', `An app named ${input.name} already exists (names ignore case).`);
  const app = await store
    .transact(
      insertApp,
      {
        id: randomUUID(),
        name: input.name,
        displayName,
        phone,
        live: input.live ?? false,
        settings,
        secrets,
        wording,
        apiKey: { id: key.id, hash: key.hash, prefix: key.prefix },
      },
      now,
    )
    .catch((e: unknown) => {
      // Two creations racing on PostgreSQL: the loser hits the unique index.
      throw e instanceof UniqueViolation ? taken() : e;
    });
  if (!app) throw taken();
  return { app, apiKey: key.key };
}

export interface UpdateAppInput {
  displayName?: string;
  phone?: string | null;
  live?: boolean;
  settings?: AppSettingsPatch;
  secrets?: AppSecretsPatch;
  wording?: Partial<Record<Locale, string>>;
}

/** The widget's settings after a change: nested groups are merged key by key, lists replaced. */
function mergeWidget(cur: WidgetSettings, p: WidgetSettingsPatch | undefined): WidgetSettings {
  if (!p) return cur;
  return {
    ...cur,
    ...p,
    greeting: { ...cur.greeting, ...p.greeting, text: { ...cur.greeting.text, ...p.greeting?.text } },
    buttonLabel: { ...cur.buttonLabel, ...p.buttonLabel },
    offset: { ...cur.offset, ...p.offset },
    analytics: { ...cur.analytics, ...p.analytics },
  };
}

/**
 * Computes the stored change from the current app and a request: only what the request names
 * changes. Pure, so that it can run inside the store's transaction on the row as it is now.
 */
export function mergeUpdate(cur: AppRecord, input: UpdateAppInput): AppPatch {
  const s = input.settings ?? {};
  checkSettingsPatch(s);
  const merged = {
    ...cur.settings,
    ...s,
    theme: { ...cur.settings.theme, ...s.theme },
    autoOptinMessage: {
      ...cur.settings.autoOptinMessage,
      ...s.autoOptinMessage,
      text: { ...cur.settings.autoOptinMessage.text, ...s.autoOptinMessage?.text },
    },
    widget: mergeWidget(cur.settings.widget, s.widget),
  };
  const parsed = AppSettingsSchema.safeParse(merged);
  if (!parsed.success)
    throw new ApiError(
      422,
      'invalid_settings',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  let displayName: string | undefined;
  if (input.displayName !== undefined) displayName = checkDisplayName(input.displayName);
  const phone = input.phone === undefined ? cur.phone : phoneOrThrow(input.phone);
  checkLive(input.live ?? cur.live, phone);
  checkWordings(input.wording);
  let secrets: AppSecrets | undefined;
  if (input.secrets) {
    const next: Record<string, unknown> = { ...cur.secrets };
    for (const [k, v] of Object.entries(input.secrets)) {
      if (v === null) delete next[k];
      else if (v !== undefined) next[k] = v;
    }
    secrets = AppSecretsSchema.parse(next);
  }
  // A new callback URL is a new endpoint: a 410 from the old one no longer stops events.
  const callbackChanged = s.callbackUrl !== undefined && s.callbackUrl !== cur.settings.callbackUrl;
  return {
    displayName,
    phone,
    live: input.live,
    settings: parsed.data,
    secrets,
    wording: input.wording,
    callbackDisabledAt: callbackChanged ? null : undefined,
  };
}

/** Applies a partial change. A wording change makes a new version; old ones stay. */
export function updateApp(store: Store, app: AppRecord, input: UpdateAppInput, now: number): Promise<AppRecord> {
  return store.transact(updateAppRow, app.id, (cur) => mergeUpdate(cur, input), now);
}

/**
 * The start-up check of a server and of `npm run worker`: the secrets key is loaded (or its file
 * made), every stored secret must open with it (else it throws, naming the key the secrets need), and
 * any still in the clear (from before they were encrypted) is sealed. Returns how many apps it sealed.
 */
export async function checkSecretsAtStart(store: Store): Promise<number> {
  store.keyring();
  return (await store.transact(resealSecrets, { all: false })).sealed;
}
