import type { Deps } from '../deps.js';
import { log } from '../log.js';
import { appById } from '../store/apps.js';
import { addSentMessage } from '../store/messages.js';
import type { MessageBody, OutboxItem } from '../store/outbox.js';
import { gupshupSender } from './senders/gupshup.js';
import { logSender } from './senders/log.js';
import { metaSender } from './senders/meta.js';
import type { Sender, SendResult } from './senders/types.js';

export type { OutboundMessage, Sender, SendResult } from './senders/types.js';

/** A provider that has not answered in this long is abandoned for this attempt, and retried. */
export const SEND_TIMEOUT_MS = 10_000;

const SENDERS: Record<'log' | 'meta' | 'gupshup', Sender> = {
  log: logSender(),
  meta: metaSender,
  gupshup: gupshupSender,
};

function isMessageBody(b: unknown): b is MessageBody {
  const m = b as Partial<MessageBody> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.channel === 'whatsapp' &&
    typeof m.to === 'string' &&
    /^\d{6,15}$/.test(m.to) &&
    typeof m.text === 'string' &&
    m.text.length > 0
  );
}

/**
 * Delivers one outbox item of kind `message` through the app's sender (`secrets.sender`: `log`,
 * `meta` or `gupshup`). Never throws. On success the message joins the user's history (once, by the
 * item's id, however many times a retry delivers it).
 *
 * The outbox worker calls it for each claimed `message` item and records the result: `retry` says
 * whether to schedule another attempt (5xx, 429, time-out, network error) or give up (other 4xx,
 * missing credentials, an app that no longer exists).
 *
 * @example
 * const r = await deliverMessage(deps, item); // { ok: true, status: 200, retry: false, providerId: 'wamid.…' }
 */
export async function deliverMessage(
  deps: Pick<Deps, 'store' | 'config' | 'clock'>,
  item: OutboxItem,
  o: { senders?: Partial<typeof SENDERS>; timeoutMs?: number } = {},
): Promise<SendResult> {
  if (item.kind !== 'message') return { ok: false, error: `not a message: ${item.kind}`, retry: false };
  if (!isMessageBody(item.body))
    return { ok: false, error: 'the outbox item is not a WhatsApp text message', retry: false };
  const app = await deps.store.read(appById, item.appId);
  if (!app) return { ok: false, error: 'the app no longer exists', retry: false };
  const sender = { ...SENDERS, ...o.senders }[app.secrets.sender];
  const body = item.body;
  let r: SendResult;
  try {
    r = await sender.send(
      app,
      { id: item.id, ...body },
      { config: deps.config, timeoutMs: o.timeoutMs ?? SEND_TIMEOUT_MS },
    );
  } catch (e) {
    r = { ok: false, error: `sender failed: ${(e as Error).message}`, retry: true };
  }
  if (r.ok) {
    const at = deps.clock.now();
    // Sent is sent: a failure to note it in the history must not make the worker send it again.
    await deps.store
      .transact(addSentMessage, {
        id: item.id,
        appId: app.id,
        phone: body.to,
        direction: 'out',
        channel: 'whatsapp',
        text: body.text,
        at,
      })
      .catch((e: unknown) => log.error('senders: could not add a sent message to the history', e));
  }
  return r;
}
