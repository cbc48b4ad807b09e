/**
 * Chromium helpers for the Settings page's browser tests: a page in a context of its own that may
 * reach loopback only (wa.me answered locally), signing in, submitting a form, and axe.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'puppeteer-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const WIDTHS = {
  phone: { width: 320, height: 720, isMobile: true, hasTouch: true },
  narrow: { width: 360, height: 740, isMobile: true, hasTouch: true },
  desktop: { width: 1280, height: 900 },
} as const;

export type TestPage = Page & { errors: string[]; whatsapp: string[]; requests: string[] };

/** A page of its own (no other test's cookies). Console errors and page errors are collected. */
export async function newPage(browser: Browser, width: keyof typeof WIDTHS = 'desktop'): Promise<TestPage> {
  const context = await browser.createBrowserContext();
  const page = (await context.newPage()) as TestPage;
  page.errors = [];
  page.whatsapp = [];
  page.requests = [];
  await page.setViewport(WIDTHS[width]);
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    page.requests.push(`${req.method()} ${url}`);
    if (url.startsWith('https://wa.me/')) {
      page.whatsapp.push(url);
      void req.respond({ status: 200, contentType: 'text/html', body: '<title>WhatsApp</title>' });
    } else if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) void req.continue();
    else void req.abort();
  });
  page.on('console', (m) => {
    // A 4xx answer to a refused form is the page working.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
      page.errors.push(`${m.text()} ${m.location().url ?? ''}`);
  });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

export async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/settings`);
  await page.type('#api-key', key);
  await submit(page, 'button[type=submit]');
}

/** Replaces a field's value as a person would (select all, type). */
export async function retype(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(selector, (el) => ((el as HTMLInputElement).value = ''));
  if (value) await page.type(selector, value);
}

/** axe's WCAG 2.2 AA rules and unique landmarks: no violation. Needs `page.setBypassCSP(true)` before the load. */
export async function axe(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ content: AXE });
  const result = (await page.evaluate(async () => {
    const a = (
      window as unknown as {
        axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> };
      }
    ).axe;
    const wcag = await a.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] });
    const unique = await a.run({ runOnly: { type: 'rule', values: ['landmark-unique'] } });
    return { violations: [...wcag.violations, ...unique.violations] };
  })) as { violations: { id: string; nodes: { target: unknown }[] }[] };
  assert.deepEqual(
    result.violations.map((v) => v.id),
    [],
    `${what}: ${JSON.stringify(result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target) })))}`,
  );
}

/** No sideways scrolling at the page's width. */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.$eval('html', (el) => el.scrollWidth <= window.innerWidth);
}
