import { ApiError } from './errors.js';
import { countApps } from './store/apps.js';
import type { Store } from './store/index.js';
import { createApp } from './services/apps.js';

/** A sandbox app for newcomers, created when the store has no apps at all. */
export async function ensureDemoApp(
  store: Store,
  now: number,
  publicUrl: string,
): Promise<{ created: boolean; apiKey: string | null }> {
  if ((await store.read(countApps)) > 0) return { created: false, apiKey: null };
  try {
    const { apiKey } = await createApp(
      store,
      // A privacy link, as every real app should have: the demo's own notice (`/demo/privacy`).
      { name: 'demo', displayName: 'Demo Shop', settings: { privacyUrl: `${publicUrl}/demo/privacy` } },
      now,
    );
    return { created: true, apiKey };
  } catch (e) {
    // Several servers starting at once on an empty database: one of them made it, which is all we want.
    if (e instanceof ApiError && e.code === 'name_taken') return { created: false, apiKey: null };
    throw e;
  }
}

/** The URLs a newcomer needs, for the start-up banner. */
export function urlsFor(publicUrl: string, name: string): Record<string, string> {
  return {
    'Consent page': `${publicUrl}/o/${name}`,
    'QR code (SVG)': `${publicUrl}/o/${name}/qr.svg`,
    'QR code (PNG)': `${publicUrl}/o/${name}/qr.png?size=512`,
    'Campaign link': `${publicUrl}/o/${name}?c=spring-sale`,
    'Widget demo page': `${publicUrl}/demo?app=${name}`,
    'Widget snippet': `<script src="${publicUrl}/widget.js" data-app="${name}" async></script>`,
  };
}
