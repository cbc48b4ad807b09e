/**
 * Takes the README's screenshots of the hosted pages, in Chromium: the consent page at phone width,
 * and the Settings page's main screens at phone and desktop width.
 * `npx tsx scripts/screenshots.ts [consent|settings]` (both without an argument).
 */
import type { Browser } from 'puppeteer-core';
import { evidence, commitChange } from '../server/services/consent.js';
import type { AppRecord } from '../server/store/index.js';
import { launchChrome } from '../test/support/chrome.js';
import { startTestServer, type TestServer } from '../test/support/server.js';

const only = process.argv[2];

async function consentShots(s: TestServer, browser: Browser): Promise<void> {
  const page = await browser.newPage();
  await page.setViewport({ width: 360, height: 720, deviceScaleFactor: 1, isMobile: true });
  await page.goto(`${s.url}/o/Acme?via=qr`);
  await page.screenshot({ path: 'docs/consent-page.png' });
  await page.type('#phone', '12');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.screenshot({ path: 'docs/consent-page-error.png' });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await page.goto(`${s.url}/o/Acme?lang=es`);
  await page.screenshot({ path: 'docs/consent-page-dark-es.png' });
  await page.close();
}

async function settingsShots(s: TestServer, browser: Browser, apiKey: string, app: AppRecord): Promise<void> {
  const appId = app.id;
  // A few weeks of a small campaign, so that the screens show something real.
  const now = Date.now();
  const vias = ['qr', 'qr', 'url', 'widget', 'sms', 'first_message'] as const;
  for (let i = 0; i < 18; i++) {
    const via = vias[i % vias.length]!;
    const at = now - (18 - i) * 3 * 3600_000;
    const action = i === 7 ? 'opt_out' : 'opt_in';
    await commitChange(s.store, {
      app,
      record: evidence({
        appId: app.id,
        phone: `1415555${String(1200 + i * 37).padStart(4, '0')}`,
        action,
        via,
        locale: 'en',
        at,
        campaign: via === 'qr' ? 'spring-menu' : null,
      }),
      shown: null,
      move:
        action === 'opt_out'
          ? { type: 'opt_out', via, at }
          : { type: 'opt_in', via, at, verified: via === 'sms' || via === 'first_message' },
    });
  }
  s.deps.funnel.add(appId, now, 'qr', 'spring-menu', 'view', 64);
  s.deps.funnel.add(appId, now, 'qr', 'spring-menu', 'redirect', 21);
  s.deps.funnel.add(appId, now, 'url', null, 'view', 30);
  s.deps.funnel.add(appId, now, 'url', null, 'redirect', 4);
  s.deps.funnel.add(appId, now, 'widget', null, 'view', 41);
  s.deps.funnel.add(appId, now, 'widget', null, 'redirect', 3);

  for (const [width, viewport] of [
    ['phone', { width: 360, height: 780, deviceScaleFactor: 1, isMobile: true }],
    ['desktop', { width: 1280, height: 900, deviceScaleFactor: 1 }],
  ] as const) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    await page.goto(`${s.url}/settings`);
    if (width === 'phone') await page.screenshot({ path: 'docs/settings-signin-phone.png' });
    await page.type('#api-key', apiKey);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.goto(`${s.url}/settings?c=spring-menu`);
    await page.waitForSelector('#widget-preview whatsapp-optin >>> [part=button]', { visible: true });
    await page.screenshot({ path: `docs/settings-tools-${width}.png`, fullPage: width === 'desktop' });
    await page.goto(`${s.url}/settings/options`);
    await page.screenshot({ path: `docs/settings-options-${width}.png` });
    await page.goto(`${s.url}/settings/users`);
    await page.screenshot({ path: `docs/settings-users-${width}.png` });
    await page.goto(`${s.url}/settings/funnel?days=7`);
    await page.screenshot({ path: `docs/settings-funnel-${width}.png`, fullPage: width === 'desktop' });
    await context.close();
  }
}

const s = await startTestServer('sqlite');
const acme = await s.makeApp({
  name: 'Acme',
  displayName: 'Acme Shoes',
  phone: '+14155550123',
  live: true,
  settings: { privacyUrl: 'https://acme.example/privacy' },
});
const browser = await launchChrome();
try {
  if (!only || only === 'consent') await consentShots(s, browser);
  if (!only || only === 'settings') await settingsShots(s, browser, acme.apiKey, acme.app);
} finally {
  await browser.close();
  await s.close();
}
