import puppeteer, { type Browser } from 'puppeteer-core';
import { chromeSkipReason, findChrome } from '../../scripts/preflight.js';

/** Flags for a root, offline, headless Chromium (see the developers' guide). */
export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * For the browser tests' `describe(…, { skip: chromeSkip })` (and to guard their top-level hooks):
 * why they are skipped when there is no Chromium outside CI (scripts/preflight.ts), else false.
 */
export const chromeSkip: string | false = chromeSkipReason();

/** CHROME_PATH if set (it must be an executable file), else the first Chromium or Chrome on PATH. */
export function chromePath(): string {
  const found = findChrome();
  if ('path' in found) return found.path;
  throw new Error(
    `No Chromium found (${found.problem}): install Debian's "chromium" package or set CHROME_PATH to a Chrome binary.`,
  );
}

export function launchChrome(): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromePath(), headless: true, args: CHROME_ARGS });
}
