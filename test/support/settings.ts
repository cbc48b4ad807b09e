import type { TestHarness } from './server.js';

/** Signing in to the Settings page and posting its forms, as a browser would. */
type H = Pick<TestHarness, 'request'>;

export const ORIGIN = 'http://optin.test';
export async function signIn(h: H, key: string, cookie?: string): Promise<{ res: Response; cookie: string | null }> {
  const res = await h.request('/settings/session', {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams({ key }).toString(),
    redirect: 'manual',
  });
  const set = res.headers.get('set-cookie');
  return { res, cookie: set ? set.split(';')[0]! : null };
}

export const get = (h: H, path: string, cookie?: string | null, headers: Record<string, string> = {}) =>
  h.request(path, { headers: { ...(cookie ? { cookie } : {}), ...headers }, redirect: 'manual' });

export function post(
  h: H,
  path: string,
  fields: Record<string, string>,
  cookie: string | null,
  headers: Record<string, string> = { origin: ORIGIN },
) {
  return h.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

export async function csrfOf(h: H, cookie: string): Promise<string> {
  const html = await (await get(h, '/settings/options', cookie)).text();
  return /name="csrf" value="([^"]+)"/.exec(html)![1]!;
}
