import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Flags for a root, offline, headless Chromium (see the developers' guide). */
export const CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** CHROME_PATH, else the first Chromium or Chrome on PATH. */
export function chromePath(): string {
  const env = process.env.CHROME_PATH;
  if (env && existsSync(env)) return env;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not this one
    }
  }
  throw new Error('No Chromium found: install Debian\'s "chromium" package or set CHROME_PATH to a Chrome binary.');
}

export function launchChrome(): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromePath(), headless: true, args: CHROME_ARGS });
}
