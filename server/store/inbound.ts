import { canonicalSpelling } from '../../core/phone-aliases.js';
import { run, type Body } from './driver.js';

/**
 * Inbound provider messages already handled, and the automated prompts already sent: the claims
 * that make a provider's repeated delivery, or two messages racing, change nothing twice.
 */

/** Marks a provider message id as handled. False when it already was: the caller changes nothing. */
export function* claimInbound(
  appId: string,
  provider: string,
  messageId: string,
  phone: string,
  at: number,
): Body<boolean> {
  return (
    (yield* run(
      'INSERT INTO inbound (app_id, provider, message_id, phone, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [appId, provider, messageId, phone, at],
    )) === 1
  );
}

/**
 * Claims the one automated prompt of (app, person): any spelling of the number claims the
 * canonical one. True only for the one caller that may send it.
 */
export function* claimPrompt(appId: string, phone: string, at: number): Body<boolean> {
  return (
    (yield* run('INSERT INTO prompts (app_id, phone, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
      appId,
      canonicalSpelling(phone),
      at,
    ])) === 1
  );
}
