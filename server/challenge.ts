import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * A proof of work in ALTCHA's format (https://altcha.org/docs/v2/server-integration): the server
 * picks a secret number, publishes the SHA-256 of `salt + number` with an HMAC signature over it,
 * and the browser finds the number by trying them all with Web Crypto. No third party is involved;
 * the signature proves the server issued it, the expiry in the salt bounds its life, and each
 * signature is accepted once.
 */
export interface Challenge {
  algorithm: 'SHA-256';
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

/** What the browser sends back, base64 JSON (ALTCHA's `altcha` form field). */
export interface Solution {
  algorithm: string;
  challenge: string;
  number: number;
  salt: string;
  signature: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string, s: string) => createHmac('sha256', key).update(s).digest('hex');

/**
 * A fresh challenge, valid for `ttlMs`. Its difficulty is `maxNumber`: the browser tries half of it
 * on average (with 50,000, headless Chromium on a busy 2-core machine went from the click to
 * WhatsApp in about 1.6 s: test/challenge.e2e.test.ts prints it).
 *
 * @example
 * const c = issueChallenge(secret, Date.now(), { maxNumber: 50_000, ttlMs: 300_000 });
 */
export function issueChallenge(secret: string, now: number, o: { maxNumber: number; ttlMs: number }): Challenge {
  const salt = `${randomBytes(12).toString('hex')}?expires=${Math.floor((now + o.ttlMs) / 1000)}`;
  const challenge = sha256(salt + String(randomInt(0, o.maxNumber + 1)));
  return { algorithm: 'SHA-256', challenge, maxnumber: o.maxNumber, salt, signature: hmac(secret, challenge) };
}

export type CheckResult =
  | { ok: true; signature: string; expiresAt: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'wrong' };

/**
 * Checks a solution's form, signature, expiry and work. Single use is the caller's: remember
 * `signature` until `expiresAt` (see LimitBackend.once).
 */
export function checkSolution(secret: string, payload: string | null | undefined, now: number): CheckResult {
  if (!payload) return { ok: false, reason: 'missing' };
  let s: Solution;
  try {
    s = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as Solution;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (
    !s ||
    s.algorithm !== 'SHA-256' ||
    typeof s.challenge !== 'string' ||
    typeof s.salt !== 'string' ||
    typeof s.signature !== 'string' ||
    !Number.isSafeInteger(s.number) ||
    s.number < 0 ||
    s.salt.length > 100
  )
    return { ok: false, reason: 'malformed' };
  const expires = Number(/[?&]expires=(\d{1,12})(?:&|$)/.exec(s.salt)?.[1]);
  if (!expires) return { ok: false, reason: 'malformed' };
  if (expires * 1000 <= now) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(hmac(secret, s.challenge));
  const given = Buffer.from(s.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'wrong' };
  if (sha256(s.salt + String(s.number)) !== s.challenge) return { ok: false, reason: 'wrong' };
  return { ok: true, signature: s.signature, expiresAt: expires * 1000 };
}

/**
 * Issues and checks challenges for this deployment: signed with `CHALLENGE_SECRET` (shared by every
 * server; without it, a random key of this process), single use through the rate-limit backend.
 *
 * @example
 * const gate = new ChallengeGate({ secret, maxNumber: 50_000, now: () => clock.now(), backend });
 * const c = gate.issue();
 * const r = await gate.redeem(form.get('altcha')); // ok once; 'used' the second time
 */
export class ChallengeGate {
  static readonly TTL_MS = 5 * 60_000;
  private readonly secret: string;

  constructor(
    private readonly o: {
      secret: string | null;
      maxNumber: number;
      now: () => number;
      backend: { once(key: string, until: number, now: number): boolean | Promise<boolean> };
    },
  ) {
    this.secret = o.secret ?? randomBytes(32).toString('hex');
  }

  issue(): Challenge {
    return issueChallenge(this.secret, this.o.now(), { maxNumber: this.o.maxNumber, ttlMs: ChallengeGate.TTL_MS });
  }

  /** Checks a solution and uses it up. */
  async redeem(payload: string | null | undefined): Promise<{ ok: true } | { ok: false; reason: string }> {
    const now = this.o.now();
    const r = checkSolution(this.secret, payload, now);
    if (!r.ok) return r;
    if (!(await this.o.backend.once(`pow:${r.signature}`, r.expiresAt, now))) return { ok: false, reason: 'used' };
    return { ok: true };
  }
}
