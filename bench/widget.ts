/**
 * What the widget costs a host page, for `npm run bench`: its sizes against the budgets (the loader
 * a page loads first, and the loader with the panel), and Lighthouse (mobile) on one sample host
 * page without and with the snippet, side by side: performance score and Total Blocking Time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LOADER_GZIP_BUDGET, PANEL_FILES, WIDGET_GZIP_BUDGET, reportSizes } from '../widget/size.js';

const root = join(import.meta.dirname, '..');

/** A plain shop page: a header, text, a product list; about what a small business's page holds. */
function samplePage(snippet: string): string {
  const items = Array.from(
    { length: 12 },
    (_, i) => `<li><h2>Shoe ${i + 1}</h2><p>Comfortable leather shoes, size 36 to 46.</p><p>€${59 + i}</p></li>`,
  ).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme Shoes</title>
<meta name="description" content="Shoes by Acme">
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#111}ul{list-style:none;padding:0}li{border-bottom:1px solid #ccc;padding:.5rem 0}</style>
</head><body><header><h1>Acme Shoes</h1></header><main><p>Handmade shoes since 1952.</p><ul>${items}</ul></main>
${snippet}</body></html>`;
}

/** The sizes and the side-by-side Lighthouse figures, one line each, through `log`. */
export async function benchWidget(log: (line: string) => void, base: string, app: string): Promise<void> {
  const pass = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
  const loader = reportSizes(join(root, 'dist/widget/widget.js'));
  log('\nThe widget (gzip -9):');
  log(
    `  ${pass(loader.gzip <= LOADER_GZIP_BUDGET)} widget.js (the loader, what a page loads first) ${loader.gzip} B (budget ${LOADER_GZIP_BUDGET} B)`,
  );
  for (const name of PANEL_FILES) {
    const panel = reportSizes(join(root, 'dist/widget', name)).gzip;
    log(
      `  ${pass(loader.gzip + panel <= WIDGET_GZIP_BUDGET)} widget.js + ${name} ${loader.gzip + panel} B (budget ${WIDGET_GZIP_BUDGET} B, the issue's goal)`,
    );
  }
  log(`       widget-qr.js (desktops, after consent) ${reportSizes(join(root, 'dist/widget/widget-qr.js')).gzip} B`);

  if (process.env.BENCH_LIGHTHOUSE === '0') return;
  const snippet = `<script src="${base}/widget.js" data-app="${app}" async></script>`;
  const host = createServer((req, res) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(samplePage(req.url?.startsWith('/with') ? snippet : '')),
  );
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  const { launchChrome } = await import('../test/support/chrome.js');
  const { default: lighthouse } = await import('lighthouse');
  const browser = await launchChrome();
  try {
    const port = Number(new URL(browser.wsEndpoint()).port);
    const measure = async (path: string) => {
      const r = await lighthouse(`${origin}${path}`, {
        port,
        onlyCategories: ['performance'],
        logLevel: 'error',
        output: 'json',
      });
      const lhr = r!.lhr;
      // A run Lighthouse could not finish scores 0: say why rather than report it as a figure.
      if (lhr.runtimeError)
        throw new Error(`Lighthouse on ${path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      return {
        score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
        tbt: Math.round(lhr.audits['total-blocking-time']?.numericValue ?? 0),
        lcp: Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? 0),
      };
    };
    // One run each is noise on a busy machine: RUNS of each, interleaved, and their medians.
    const runs = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 5);
    const all = {
      without: [] as Awaited<ReturnType<typeof measure>>[],
      with: [] as Awaited<ReturnType<typeof measure>>[],
    };
    for (let i = 0; i < runs; i++) {
      all.without.push(await measure('/without'));
      all.with.push(await measure('/with'));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const summary = (rs: typeof all.with) => ({
      score: median(rs.map((r) => r.score)),
      tbt: median(rs.map((r) => r.tbt)),
      lcp: median(rs.map((r) => r.lcp)),
      scores: rs.map((r) => r.score).join('/'),
      tbts: rs.map((r) => r.tbt).join('/'),
    });
    const without = summary(all.without);
    const withSnippet = summary(all.with);
    log(
      `\nLighthouse (mobile) on a sample host page, without and with the snippet (median of ${runs} interleaved runs each):`,
    );
    log(
      `  without: performance ${without.score}, TBT ${without.tbt} ms, LCP ${without.lcp} ms   (runs: ${without.scores}; TBT ${without.tbts})`,
    );
    log(
      `  with:    performance ${withSnippet.score}, TBT ${withSnippet.tbt} ms, LCP ${withSnippet.lcp} ms   (runs: ${withSnippet.scores}; TBT ${withSnippet.tbts})`,
    );
    log(
      `  ${pass(withSnippet.score >= without.score && withSnippet.tbt <= without.tbt + 10)} the snippet costs the page ${without.score - withSnippet.score} points and ${withSnippet.tbt - without.tbt} ms of blocking time (target: 0 and 0)`,
    );
  } finally {
    await browser.close();
    await new Promise<void>((r) => host.close(() => r()));
  }
}
