import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export type LandingClasses = typeof import('../landing/consent.css.js');

export interface StaticFile {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** What `npm run build` made, loaded once at start-up. */
export interface Assets {
  css: string;
  /** `'sha256-…'` for the page CSP: the styles are inlined, so a slow phone needs one request. */
  cssHash: string;
  cls: LandingClasses;
  widget: StaticFile | null;
  widgetQr: StaticFile | null;
}

export const DIST = resolve(import.meta.dirname, '../dist');

function staticFile(path: string): StaticFile | null {
  if (!existsSync(path)) return null;
  const body = readFileSync(path);
  return { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

export async function loadAssets(dist = DIST): Promise<Assets> {
  const manifestPath = join(dist, 'landing/manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run "npm run build" first.`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { css: string };
  // Vite leaves a marker comment at the end of library CSS; the page need not carry it.
  const css = readFileSync(join(dist, 'landing', manifest.css), 'utf8').replace(/\/\*\$vite\$:\d+\*\/\s*$/, '').trim();
  const cls = (await import(pathToFileURL(join(dist, 'landing/classes.js')).href)) as LandingClasses;
  return {
    css,
    cssHash: `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`,
    cls,
    widget: staticFile(join(dist, 'widget/widget.js')),
    widgetQr: staticFile(join(dist, 'widget/widget-qr.js')),
  };
}
