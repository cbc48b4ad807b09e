import { providerRequest } from './http.js';
import type { Sender } from './types.js';

/**
 * Meta's WhatsApp Cloud API: `POST {META_GRAPH_URL}/{phone-number-id}/messages` with the app's
 * access token as a bearer token.
 */
export const metaSender: Sender = {
  name: 'meta',
  async send(app, msg, ctx) {
    const { metaAccessToken: token, metaPhoneNumberId: phoneId } = app.secrets;
    if (!token || !phoneId)
      return { ok: false, error: 'the app has no metaAccessToken or metaPhoneNumberId', retry: false };
    return providerRequest(
      `${ctx.config.metaGraphUrl}/${encodeURIComponent(phoneId)}/messages`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: msg.to,
          type: 'text',
          text: { preview_url: false, body: msg.text },
        }),
      },
      ctx.timeoutMs,
      (b) => {
        const id = (b as { messages?: { id?: unknown }[] } | null)?.messages?.[0]?.id;
        return typeof id === 'string' ? { id } : {};
      },
    );
  },
};
