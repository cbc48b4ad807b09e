/**
 * The widget's size budgets: a size check, not a timing. `npm test` builds first; run
 * `npm run build` before this file on its own.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LOADER_GZIP_BUDGET, PANEL_FILES, WIDGET_GZIP_BUDGET, reportSizes } from '../../widget/size.js';

const dist = join(import.meta.dirname, '../../dist/widget');
const built = (name: string) => {
  const file = join(dist, name);
  assert.ok(existsSync(file), `${file} is missing: run "npm run build" first`);
  return file;
};

test('widget.js, the script a page loads first, is at most 3,072 bytes gzip and carries no Lit', () => {
  const s = reportSizes(built('widget.js'));
  console.log(
    `widget.js: ${s.raw} B raw, ${s.gzip} B gzip, ${s.brotli} B brotli (budget ${LOADER_GZIP_BUDGET} B gzip)`,
  );
  assert.ok(
    s.gzip <= LOADER_GZIP_BUDGET,
    `widget.js is ${s.gzip} B gzip, over the ${LOADER_GZIP_BUDGET} B budget by ${s.gzip - LOADER_GZIP_BUDGET} B`,
  );
  const code = readFileSync(built('widget.js'), 'utf8');
  assert.doesNotMatch(code, /lit-html|LitElement|_\$litType\$/);
  // One classic script: no static import; the panel comes through import() only.
  assert.doesNotMatch(code, /\bimport\s*[{"'*]/);
});

test('the loader and the panel of each language together stay within the whole widget budget', () => {
  const loader = reportSizes(built('widget.js')).gzip;
  for (const name of PANEL_FILES) {
    const panel = reportSizes(built(name)).gzip;
    console.log(`${name}: ${panel} B gzip; with widget.js ${loader + panel} B (budget ${WIDGET_GZIP_BUDGET} B)`);
    assert.ok(
      loader + panel <= WIDGET_GZIP_BUDGET,
      `widget.js + ${name} is ${loader + panel} B gzip, over the ${WIDGET_GZIP_BUDGET} B budget`,
    );
    const code = readFileSync(built(name), 'utf8');
    assert.match(code, /export\s*\{[^}]*define/);
  }
  // A one-language panel carries its own strings only.
  assert.match(readFileSync(built('widget-panel.es.js'), 'utf8'), /Chatear por WhatsApp/);
  assert.doesNotMatch(readFileSync(built('widget-panel.es.js'), 'utf8'), /Conversar no WhatsApp/);
});

test('the QR encoder stays out of widget.js and the panels, in its own widget-qr.js', () => {
  const qr = readFileSync(built('widget-qr.js'), 'utf8');
  // qrcode's encoder lives only in the QR module.
  assert.match(qr, /Invalid QR Code version/);
  for (const name of ['widget.js', ...PANEL_FILES])
    assert.doesNotMatch(readFileSync(built(name), 'utf8'), /Invalid QR Code version/);
  assert.match(qr, /export\s*\{[^}]*qrPath/);
  assert.deepEqual(readdirSync(dist).sort(), ['widget-qr.js', 'widget.js', ...PANEL_FILES].sort());
});
