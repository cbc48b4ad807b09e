import type { Config } from '../../config.js';
import type { AppRecord } from '../../store/index.js';
import type { MessageBody } from '../../store/outbox.js';

/** What one delivery attempt came to. The outbox worker records it and schedules any retry. */
export interface SendResult {
  ok: boolean;
  /** The provider's HTTP status, when it answered. */
  status?: number;
  error?: string;
  /** Worth trying again later: 5xx, 429, a time-out or a network error. */
  retry: boolean;
  /** The provider's id for the sent message (a wamid, Gupshup's messageId). */
  providerId?: string;
}

export interface OutboundMessage extends MessageBody {
  /** The outbox item's id: the same on every retry. */
  id: string;
}

/** One way out to WhatsApp. Adapters never throw: every failure is a {@link SendResult}. */
export interface Sender {
  readonly name: 'log' | 'meta' | 'gupshup';
  send(app: AppRecord, msg: OutboundMessage, ctx: SendContext): Promise<SendResult>;
}

export interface SendContext {
  config: Pick<Config, 'metaGraphUrl' | 'gupshupApiUrl'>;
  /** Per request; a slow provider is abandoned and retried. */
  timeoutMs: number;
}
