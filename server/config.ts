import { z } from 'zod';
import { DEFAULT_SANDBOX_NUMBER } from '../core/wa-link.js';
import { parseKey } from './store/secret-box.js';

/** A secrets key: 64 hex digits or the base64 of 32 bytes (secret-box.ts). */
const secretsKey = z.string().refine((v) => {
  try {
    parseKey(v);
    return true;
  } catch {
    return false;
  }
}, 'must be 32 bytes as 64 hex digits or base64 (optin-kit secrets new-key makes one)');

const flag = (def: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? def : ['1', 'true', 'on', 'yes'].includes(v)));

/**
 * Every setting the server reads from the environment, parsed once at start-up. `main.ts` and the CLI
 * are the only places that read `process.env`; everything else receives a `Config`.
 */
export const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    DATABASE_URL: z.string().min(1).default('./data/optin-kit.db'),
    SANDBOX_NUMBER: z
      .string()
      .regex(/^\d{6,15}$/, 'must be 6 to 15 digits, no +')
      .default(DEFAULT_SANDBOX_NUMBER),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    DEMO: flag(true),
    CONSENT_RATE_LIMIT: z.coerce.number().int().min(0, 'must be 0 (off) or more').default(20),
    CONSENT_PHONE_RATE_LIMIT: z.coerce.number().int().min(0, 'must be 0 (off) or more').default(3),
    CONSENT_APP_RATE_LIMIT: z.coerce.number().int().min(0, 'must be 0 (off) or more').default(300),
    AUTH_FAILURE_LIMIT: z.coerce.number().int().min(0, 'must be 0 (off) or more').default(10),
    CHALLENGE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    CHALLENGE_MAX_NUMBER: z.coerce.number().int().min(1000).max(10_000_000).default(50_000),
    QR_RATE_LIMIT: z.coerce.number().int().min(0, 'must be 0 (off) or more').default(60),
    TRUST_PROXY: flag(false),
    SANDBOX_WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    META_GRAPH_URL: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ''))
      .default('https://graph.facebook.com/v21.0'),
    GUPSHUP_API_URL: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ''))
      .default('https://api.gupshup.io'),
    ALLOW_PRIVATE_CALLBACKS: flag(false),
    CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    WORKER: flag(true),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1000),
    OUTBOX_CLAIM_MS: z.coerce.number().int().min(1000).max(3_600_000).optional(),
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    SECRETS_KEY: secretsKey.optional(),
    SECRETS_OLD_KEYS: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      )
      .pipe(z.array(secretsKey))
      .optional(),
    SECRETS_KEY_FILE: z.string().min(1).optional(),
    DEMO_KEY_FILE: z.string().min(1).optional(),
  })
  .refine((e) => e.HTTP_HEADERS_TIMEOUT_MS <= e.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not be more than HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
  })
  .transform((e) => ({
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    databaseUrl: e.DATABASE_URL,
    sandboxNumber: e.SANDBOX_NUMBER,
    adminToken: e.ADMIN_TOKEN ?? null,
    demo: e.DEMO,
    /** Consent posts per IP per minute; 0 switches the limit off. */
    consentRateLimit: e.CONSENT_RATE_LIMIT,
    /** Web consents per phone number (per app) per minute; 0 switches the limit off. */
    consentPhoneRateLimit: e.CONSENT_PHONE_RATE_LIMIT,
    /** Web consents per app per minute, from every address together; 0 switches the limit off. */
    consentAppRateLimit: e.CONSENT_APP_RATE_LIMIT,
    /** Wrong bearer tokens (API keys, ADMIN_TOKEN) per address per minute before 429; 0 is off. */
    authFailureLimit: e.AUTH_FAILURE_LIMIT,
    /** Signs proof-of-work challenges; shared by every server (else a random key per process). */
    challengeSecret: e.CHALLENGE_SECRET ?? null,
    /** The proof of work's difficulty: the browser tries half this many SHA-256 hashes on average. */
    challengeMaxNumber: e.CHALLENGE_MAX_NUMBER,
    /** New (uncached) QR codes rendered per IP per minute; 0 switches the limit off. */
    qrRateLimit: e.QR_RATE_LIMIT,
    trustProxy: e.TRUST_PROXY,
    /** The operator's token for `POST /hooks/sandbox/whatsapp`; without it that hook refuses everything. */
    sandboxWebhookToken: e.SANDBOX_WEBHOOK_TOKEN ?? null,
    /** Meta Graph API base, version included; tests point it at a fake provider. */
    metaGraphUrl: e.META_GRAPH_URL,
    /** Gupshup API base; tests point it at a fake provider. */
    gupshupApiUrl: e.GUPSHUP_API_URL,
    /** Let callback URLs reach private, loopback and link-local addresses: development and tests only. */
    allowPrivateCallbacks: e.ALLOW_PRIVATE_CALLBACKS,
    /** How long a user-event delivery may take before it counts as failed (the contract: 10 s). */
    callbackTimeoutMs: e.CALLBACK_TIMEOUT_MS,
    /** Run the outbox worker inside the server process (it can also run alone: npm run worker). */
    worker: e.WORKER,
    /** How often an idle outbox worker looks for due items (a commit that enqueues wakes it at once). */
    workerPollMs: e.OUTBOX_POLL_MS,
    /** Redis for rate limits shared by several servers (else PostgreSQL when it is the store, else memory). */
    redisUrl: e.REDIS_URL ?? null,
    /**
     * How long a worker's claim on an outbox item holds before another worker may take it over (a
     * crashed worker's items wait this long). Default: one lane's share of a round at the time-out.
     */
    outboxClaimMs: e.OUTBOX_CLAIM_MS ?? null,
    /** Where the key that seals stored secrets comes from (server/store/secrets-key.ts). */
    secrets: { key: e.SECRETS_KEY ?? null, oldKeys: e.SECRETS_OLD_KEYS ?? [], keyFile: e.SECRETS_KEY_FILE ?? null },
    /** A file to write a newly made demo API key to, when standard output is not a terminal. */
    demoKeyFile: e.DEMO_KEY_FILE ?? null,
    /** The HTTP server's limits against slow and many clients (server/listen.ts). */
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
    },
  }));

export type Config = z.output<typeof ConfigSchema>;

/** Parses the environment, or explains in one line per variable what is wrong. */
export function parseConfig(
  env: Record<string, string | undefined>,
): { ok: true; config: Config } | { ok: false; problems: string[] } {
  // An empty variable means "not set", as shells and .env files commonly leave them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = ConfigSchema.safeParse(cleaned);
  if (r.success) return { ok: true, config: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`) };
}

/** A config for tests and tools: defaults plus overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const r = parseConfig({});
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return {
    ...r.config,
    demo: false,
    consentRateLimit: 0,
    consentPhoneRateLimit: 0,
    consentAppRateLimit: 0,
    qrRateLimit: 0,
    ...overrides,
  };
}
