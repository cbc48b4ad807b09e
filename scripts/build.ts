/**
 * Builds everything the server serves:
 * - dist/landing/: the hosted pages' vanilla-extract styles, as one static CSS file plus a module of
 *   class names the server renders with;
 * - dist/widget/: the widget bundle, from vite.config.ts.
 */
import { vanillaExtractPlugin } from '@vanilla-extract/vite-plugin';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
const landingOut = join(root, 'dist/landing');

/** A vanilla-extract entry → static CSS (`<cssName>.css`) plus an ES module of its class names. */
async function buildStyles(entry: string, classesFile: string, cssName: string): Promise<void> {
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    plugins: [vanillaExtractPlugin({ identifiers: 'short' })],
    build: {
      outDir: landingOut,
      emptyOutDir: false,
      minify: true,
      cssMinify: true,
      lib: { entry: join(root, entry), formats: ['es'], fileName: () => classesFile, cssFileName: cssName },
    },
  });
}

async function buildLanding(): Promise<void> {
  rmSync(landingOut, { recursive: true, force: true });
  await buildStyles('landing/consent.css.ts', 'classes.js', 'consent');
  const css = 'consent.css';
  if (!readdirSync(landingOut).includes(css)) throw new Error('landing build produced no CSS');
  const text = readFileSync(join(landingOut, css), 'utf8');
  writeFileSync(
    join(landingOut, 'manifest.json'),
    JSON.stringify({ css, bytes: text.length, gzip: gzipSync(text).length }, null, 2),
  );
  console.log(`landing  ${css}  ${text.length} B  ${gzipSync(text).length} B gzip`);
}

/**
 * The Settings page: its styles (landing/settings.css.ts → settings.css + settings-classes.js) and its
 * small enhancement script (landing/settings.ts → settings.js), next to the consent page's files.
 * Both are served from /assets under content-hashed names, so they can be cached for good.
 */
async function buildSettings(): Promise<void> {
  await buildStyles('landing/settings.css.ts', 'settings-classes.js', 'settings');
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: landingOut,
      emptyOutDir: false,
      minify: true,
      target: 'es2020',
      lib: {
        entry: join(root, 'landing/settings.ts'),
        formats: ['iife'],
        name: 'optinSettings',
        fileName: () => 'settings.js',
      },
    },
  });
  const manifest: Record<string, { file: string; bytes: number; gzip: number }> = {};
  for (const file of ['settings.css', 'settings.js']) {
    const text = readFileSync(join(landingOut, file), 'utf8');
    manifest[file.split('.')[1]!] = { file, bytes: text.length, gzip: gzipSync(text).length };
    console.log(`settings ${file}  ${text.length} B  ${gzipSync(text).length} B gzip`);
  }
  writeFileSync(join(landingOut, 'settings-manifest.json'), JSON.stringify(manifest, null, 2));
}

async function buildWidget(): Promise<void> {
  if (!existsSync(join(root, 'vite.config.ts'))) return;
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  const file = join(root, 'dist/widget/widget.js');
  if (existsSync(file)) {
    const sizeModule = join(root, 'widget/size.ts');
    if (existsSync(sizeModule)) {
      const { reportSizes, LOADER_GZIP_BUDGET, WIDGET_GZIP_BUDGET } = (await import(
        pathToFileURL(sizeModule).href
      )) as {
        reportSizes: (f: string) => { raw: number; gzip: number; brotli: number };
        LOADER_GZIP_BUDGET: number;
        WIDGET_GZIP_BUDGET: number;
      };
      const s = reportSizes(file);
      console.log(
        `widget   widget.js  ${s.raw} B  ${s.gzip} B gzip  ${s.brotli} B brotli  (budget ${LOADER_GZIP_BUDGET} B gzip)`,
      );
      for (const l of ['en', 'es', 'pt']) {
        const p = reportSizes(join(root, `dist/widget/widget-panel.${l}.js`));
        console.log(
          `widget   widget-panel.${l}.js  ${p.raw} B  ${p.gzip} B gzip  (with widget.js ${s.gzip + p.gzip} B, budget ${WIDGET_GZIP_BUDGET} B)`,
        );
      }
    }
  }
}

await buildLanding();
await buildSettings();
await buildWidget();
