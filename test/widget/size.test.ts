/**
 * The widget's size budget: a size check, not a timing. `npm test` builds first; run
 * `npm run build` before this file on its own.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WIDGET_GZIP_BUDGET, reportSizes } from '../../widget/size.js';

const dist = join(import.meta.dirname, '../../dist/widget');

test('dist/widget/widget.js is at most 10,240 bytes gzip, Lit and styles included', () => {
  const file = join(dist, 'widget.js');
  assert.ok(existsSync(file), `${file} is missing: run "npm run build" first`);
  const s = reportSizes(file);
  console.log(
    `widget.js: ${s.raw} B raw, ${s.gzip} B gzip, ${s.brotli} B brotli (budget ${WIDGET_GZIP_BUDGET} B gzip)`,
  );
  assert.ok(
    s.gzip <= WIDGET_GZIP_BUDGET,
    `widget.js is ${s.gzip} B gzip, over the ${WIDGET_GZIP_BUDGET} B budget by ${s.gzip - WIDGET_GZIP_BUDGET} B`,
  );
  assert.ok(s.brotli < s.gzip);
});

test('the QR encoder stays out of widget.js, in its own widget-qr.js', async () => {
  const { readFileSync } = await import('node:fs');
  const widget = readFileSync(join(dist, 'widget.js'), 'utf8');
  const qr = readFileSync(join(dist, 'widget-qr.js'), 'utf8');
  // qrcode's encoder lives only in the QR module.
  assert.match(qr, /Invalid QR Code version/);
  assert.doesNotMatch(widget, /Invalid QR Code version/);
  assert.match(qr, /export\s*\{[^}]*qrPath/);
  // One file: no chunk imports, no CSS file beside it.
  assert.doesNotMatch(widget, /\bimport\s*[{"'*]/);
  assert.deepEqual((await import('node:fs')).readdirSync(dist).sort(), ['widget-qr.js', 'widget.js']);
});
