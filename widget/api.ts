import type { Lang } from './words.js';

/** `GET /api/v1/apps/:app/public`: what the widget needs to render the consent panel. */
export interface PublicApp {
  name: string;
  displayName: string;
  live: boolean;
  phoneField: 'required' | 'optional' | 'none';
  wording: Record<Lang, { version: number; text: string }>;
  theme: { color: string; position: 'right' | 'left' };
  privacyUrl: string | null;
  /** The business's WhatsApp number (digits), for finding links to it on the page. */
  phone: string | null;
  widget: WidgetSettings;
}

/** The app's widget settings (server/app-settings.ts, `WidgetSettingsSchema`). */
export interface WidgetSettings {
  greeting: {
    text: Partial<Record<Lang, string>>;
    delaySeconds: number | null;
    scrollPercent: number | null;
    oncePerVisitor: boolean;
  };
  triggers: boolean;
  interceptWaLinks: boolean;
  devices: 'both' | 'phones' | 'desktops';
  hidePaths: string[];
  buttonLabel: Partial<Record<Lang, string>>;
  offset: { x: number; y: number };
  analytics: { ga4: boolean; gtm: boolean; metaPixel: boolean };
}

/** `POST /api/v1/apps/:app/optins` → 201. */
export interface Optin {
  optinId: string;
  redirectUrl: string;
  ref: string;
}

/**
 * How a call failed. `code` is the server's `error.code`, or `network` / `timeout` when no
 * answer came, or `http_<status>` when the answer had no error body; `status` is 0 without answer.
 */
export interface Failure {
  code: string;
  status: number;
  /** The server's `error.message`, in the language the widget asked for. */
  message?: string;
}

/**
 * `fetch` that resolves with the JSON body of a 2xx answer and otherwise rejects with a
 * {@link Failure}, never with an exception from the network layer. It gives up after `ms`.
 * Credentials are never sent: the widget needs no cookies from the API's origin.
 *
 * @example
 * await call<PublicApp>('https://optin.example.com/api/v1/apps/Acme/public', {}, 10_000)
 */
export async function call<T>(url: string, init: RequestInit, ms: number): Promise<T> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ms);
  let status = 0;
  try {
    const res = await fetch(url, { ...init, credentials: 'omit', signal: ctl.signal });
    status = res.status;
    const body = await res.json().catch(() => null);
    if (res.ok && body) return body as T;
    throw { code: body?.error?.code ?? `http_${status}`, status, message: body?.error?.message } satisfies Failure;
  } catch (e) {
    // A body that stops arriving mid-way counts as a timeout too.
    throw (e as Failure).status
      ? e
      : ({ code: ctl.signal.aborted ? 'timeout' : 'network', status: 0 } satisfies Failure);
  } finally {
    clearTimeout(timer);
  }
}

/** Normalises anything thrown into a {@link Failure}. */
export const asFailure = (e: unknown): Failure =>
  (e as Failure)?.code ? (e as Failure) : { code: 'failed', status: 0 };
