import type { SendResult } from './types.js';

/**
 * One provider request with a time-out, no redirects followed, and the outcome classified the same
 * way for every adapter: 2xx delivered; 5xx, 429, time-outs and network errors retried; any other 4xx
 * (bad token, bad number) failed at once, since trying again would fail again.
 */
export async function providerRequest(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read: (body: unknown) => { id?: string; refused?: string },
): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error;
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    return {
      ok: false,
      error: timedOut
        ? `no answer within ${timeoutMs / 1000} s`
        : `network error: ${(err.cause as Error | undefined)?.message ?? err.message}`,
      retry: true,
    };
  }
  let text = '';
  try {
    text = (await res.text()).slice(0, 4096);
  } catch {
    // A body cut short after a status line still tells us the status.
  }
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.status >= 200 && res.status < 300) {
    const r = read(body);
    if (r.refused) return { ok: false, status: res.status, error: r.refused, retry: false };
    return { ok: true, status: res.status, retry: false, ...(r.id ? { providerId: r.id } : {}) };
  }
  const detail = describe(body) ?? text.slice(0, 200);
  const retry = res.status >= 500 || res.status === 429;
  return { ok: false, status: res.status, error: `HTTP ${res.status}${detail ? `: ${detail}` : ''}`, retry };
}

function describe(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { error?: { message?: unknown } | string; message?: unknown };
  if (typeof b.error === 'object' && typeof b.error?.message === 'string') return b.error.message.slice(0, 200);
  if (typeof b.message === 'string') return b.message.slice(0, 200);
  return undefined;
}
