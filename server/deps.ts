import type { Clock } from '../core/clock.js';
import type { Assets } from './assets.js';
import type { Config } from './config.js';
import type { FunnelCounter } from './funnel-counter.js';
import type { ChallengeGate } from './challenge.js';
import type { ConsentLimits } from './consent-limits.js';
import type { LimitBackend } from './rate-limit.js';
import type { RefusedOrigins } from './refused-origins.js';
import type { AppCache, Store } from './store/index.js';

/** Everything a route needs, passed in: tests build their own, with their own store and clock. */
export interface Deps {
  store: Store;
  /** Apps and their wording, cached in memory (a change through this store drops them at once). */
  apps: AppCache;
  config: Config;
  clock: Clock;
  assets: Assets;
  funnel: FunnelCounter;
  /** Web consents (page and widget) per client address, phone number and app. */
  consentLimits: ConsentLimits;
  /** Proof-of-work challenges for apps that switch them on (page and widget). */
  challenges: ChallengeGate;
  /** Where every rate limit counts: memory, or shared by several servers (PostgreSQL, Redis). */
  rateLimits: LimitBackend;
  /** Origins whose widget opt-ins were refused lately, per app, for the Settings page. */
  refusedOrigins: RefusedOrigins;
}
