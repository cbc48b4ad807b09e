import type { Config } from './config.js';
import { ipBucket, RateLimiter, type LimitBackend } from './rate-limit.js';

/** Which limit refused a consent: the person is told what to do about it. */
export type ConsentLimitKind = 'address' | 'phone' | 'app';

export interface ConsentRefusal {
  kind: ConsentLimitKind;
  /** Seconds to wait (Retry-After). */
  wait: number;
}

/**
 * The brakes on web consents (hosted page and widget), all counted per minute in the shared backend:
 * per client address (IPv6 by its /64), per phone number typed, and per app. The address is checked
 * before the body is parsed; the phone and the app once the consent is valid, so that junk does not
 * use up a business's budget. A limit of 0 is off.
 *
 * @example
 * const limits = new ConsentLimits(config, () => clock.now(), backend);
 * const refused = (await limits.address(ip)) ?? (await limits.consent(app.id, phone));
 */
export class ConsentLimits {
  private readonly perAddress: RateLimiter;
  private readonly perPhone: RateLimiter;
  private readonly perApp: RateLimiter;

  constructor(
    config: Pick<Config, 'consentRateLimit' | 'consentPhoneRateLimit' | 'consentAppRateLimit'>,
    now: () => number,
    backend: LimitBackend,
  ) {
    this.perAddress = new RateLimiter(config.consentRateLimit, now, backend, 'consent');
    this.perPhone = new RateLimiter(config.consentPhoneRateLimit, now, backend, 'consent-phone');
    this.perApp = new RateLimiter(config.consentAppRateLimit, now, backend, 'consent-app');
  }

  /** One consent attempt from `ip`: null when allowed. */
  async address(ip: string | null): Promise<ConsentRefusal | null> {
    const wait = await this.perAddress.take(ip ? ipBucket(ip) : 'unknown');
    return wait > 0 ? { kind: 'address', wait } : null;
  }

  /** One valid consent for `phone` (if typed) of app `appId`: null when allowed. */
  async consent(appId: string, phone: string | null): Promise<ConsentRefusal | null> {
    if (phone) {
      const wait = await this.perPhone.take(`${appId}:${phone}`);
      if (wait > 0) return { kind: 'phone', wait };
    }
    const wait = await this.perApp.take(appId);
    return wait > 0 ? { kind: 'app', wait } : null;
  }
}
