/** Takes the README's screenshots of the hosted pages, in Chromium, at phone width. `npx tsx scripts/screenshots.ts` */
import { launchChrome } from '../test/support/chrome.js';
import { startTestServer } from '../test/support/server.js';

const s = await startTestServer('sqlite');
await s.makeApp({ name: 'Acme', displayName: 'Acme Shoes', phone: '+14155550123', live: true, settings: { privacyUrl: 'https://acme.example/privacy' } });
const browser = await launchChrome();
try {
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
} finally {
  await browser.close();
  await s.close();
}
