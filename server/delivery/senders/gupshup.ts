import { providerRequest } from './http.js';
import type { Sender } from './types.js';

/**
 * Gupshup's send API: `POST {GUPSHUP_API_URL}/wa/api/v1/msg`, form-encoded, with the `apikey` header.
 * `src.name` is the Gupshup app name, which optin-kit keeps equal to the app's name.
 */
export const gupshupSender: Sender = {
  name: 'gupshup',
  async send(app, msg, ctx) {
    const { gupshupApiKey: apiKey, gupshupSource: source } = app.secrets;
    if (!apiKey || !source) return { ok: false, error: 'the app has no gupshupApiKey or gupshupSource', retry: false };
    const form = new URLSearchParams({
      channel: 'whatsapp',
      source,
      destination: msg.to,
      message: JSON.stringify({ type: 'text', text: msg.text }),
      'src.name': app.name,
    });
    return providerRequest(
      `${ctx.config.gupshupApiUrl}/wa/api/v1/msg`,
      {
        method: 'POST',
        headers: { apikey: apiKey, 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-cache' },
        body: form.toString(),
      },
      ctx.timeoutMs,
      (b) => {
        const o = (b ?? {}) as { status?: unknown; messageId?: unknown; message?: unknown };
        // Gupshup can answer 2xx with {"status":"error"}: a refusal, not a delivery.
        if (o.status === 'error')
          return { refused: `Gupshup refused the message: ${String(o.message ?? 'no reason given').slice(0, 200)}` };
        return typeof o.messageId === 'string' ? { id: o.messageId } : {};
      },
    );
  },
};
