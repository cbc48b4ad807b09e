import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export type LandingClasses = typeof import('../landing/consent.css.js');
export type SettingsClasses = typeof import('../landing/settings.css.js');

/** A file served from /assets under a content-hashed name, cached for good. */
export interface HashedFile extends StaticFile {
  /** `/assets/settings.<hash>.css` */
  path: string;
  type: string;
}

/** The Settings page's styles, class names and enhancement script. */
export interface SettingsAssets {
  css: HashedFile;
  js: HashedFile;
  cls: SettingsClasses;
}

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
  /** The widget's Lit panel, one file per language (`widget-panel.es.js`), loaded by `widget.js`. */
  widgetPanels: Record<string, StaticFile | null>;
  /** null when the build predates the Settings page: its routes then answer 503. */
  settings: SettingsAssets | null;
}

export const DIST = resolve(import.meta.dirname, '../dist');

function staticFile(path: string): StaticFile | null {
  if (!existsSync(path)) return null;
  const body = readFileSync(path);
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

function hashedFile(path: string, type: string): HashedFile | null {
  const f = staticFile(path);
  if (!f) return null;
  const [stem, ext] = (path.split('/').pop() ?? '').split('.') as [string, string];
  // A CSS marker Vite leaves at the end is harmless; the name changes whenever the bytes do.
  return { ...f, type, path: `/assets/${stem}.${f.etag.slice(1, 13)}.${ext}` };
}

async function loadSettings(dist: string): Promise<SettingsAssets | null> {
  const css = hashedFile(join(dist, 'landing/settings.css'), 'text/css; charset=utf-8');
  const js = hashedFile(join(dist, 'landing/settings.js'), 'text/javascript; charset=utf-8');
  const classes = join(dist, 'landing/settings-classes.js');
  if (!css || !js || !existsSync(classes)) return null;
  return { css, js, cls: (await import(pathToFileURL(classes).href)) as SettingsClasses };
}

export async function loadAssets(dist = DIST): Promise<Assets> {
  const manifestPath = join(dist, 'landing/manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run "npm run build" first.`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { css: string };
  // Vite leaves a marker comment at the end of library CSS; the page need not carry it.
  const css = readFileSync(join(dist, 'landing', manifest.css), 'utf8')
    .replace(/\/\*\$vite\$:\d+\*\/\s*$/, '')
    .trim();
  const cls = (await import(pathToFileURL(join(dist, 'landing/classes.js')).href)) as LandingClasses;
  return {
    css,
    cssHash: `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`,
    cls,
    widget: staticFile(join(dist, 'widget/widget.js')),
    widgetQr: staticFile(join(dist, 'widget/widget-qr.js')),
    widgetPanels: Object.fromEntries(
      ['en', 'es', 'pt'].map((l) => [l, staticFile(join(dist, `widget/widget-panel.${l}.js`))]),
    ),
    settings: await loadSettings(dist),
  };
}
