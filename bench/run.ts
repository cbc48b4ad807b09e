/**
 * `npm run bench`: load figures from one run, as ratios to a no-op route measured in the same run
 * (these machines are noisy; the ratios hold). Bounded: a few seconds per scenario, 50 connections.
 * Set BENCH_SECONDS to change the duration, BENCH_DATABASE_URL to run against PostgreSQL.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 50;
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'optin-bench-'));
const databaseUrl = process.env.BENCH_DATABASE_URL ?? join(dir, 'bench.db');
const port = 18000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;

const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/server.ts')], {
  env: {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: base,
    NODE_ENV: 'production',
    CONSENT_RATE_LIMIT: '0',
    CONSENT_PHONE_RATE_LIMIT: '0',
    CONSENT_APP_RATE_LIMIT: '0',
    QR_RATE_LIMIT: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  server.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
  server.once('exit', (c) => reject(new Error(`bench server exited ${c}`)));
});

interface Load {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(title: string, opts: Partial<autocannon.Options>): Promise<Load> {
  // A short warm-up, so JIT and caches do not count against the first scenario.
  await autocannon({ url: base, connections: CONNECTIONS, duration: 1, ...opts } as autocannon.Options);
  const r = await autocannon({ url: base, connections: CONNECTIONS, duration: SECONDS, ...opts } as autocannon.Options);
  const out = { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
  console.log(`  ${title.padEnd(34)} ${out.rps.toFixed(0).padStart(7)} req/s   p99 ${String(out.p99).padStart(4)} ms`);
  return out;
}

let phone = 0;
console.log(
  `\nHTTP under ${CONNECTIONS} connections, ${SECONDS} s each (${databaseUrl.startsWith('postgres') ? 'PostgreSQL' : 'SQLite, synchronous=FULL, group commit'})`,
);
const noop = await load('GET /__noop (302, the baseline)', { url: `${base}/__noop`, method: 'GET' });
// Browsers ask for gzip; the page is stored compressed.
const get = await load('GET /o/bench (consent page, gzip)', {
  url: `${base}/o/bench?via=qr`,
  method: 'GET',
  headers: { 'accept-encoding': 'gzip, deflate, br' },
});
const post = await load('POST /o/bench (durable consent, 303)', {
  url: `${base}/o/bench`,
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  requests: [
    {
      setupRequest: (req: Record<string, unknown>) => ({
        ...req,
        body: `consent=yes&via=qr&phone=%2B1415${String(2000000 + (phone++ % 7999999)).padStart(7, '0')}`,
      }),
    },
  ],
} as Partial<autocannon.Options>);
const widget = await load('POST /api/v1/apps/bench/optins (201)', {
  url: `${base}/api/v1/apps/bench/optins`,
  method: 'POST',
  // A browser's post from a page: the server's own origin is always allowed (without an Origin the
  // API answers 403 origin_required, and the figure would measure refusals).
  headers: { 'content-type': 'text/plain', origin: base },
  requests: [
    {
      setupRequest: (req: Record<string, unknown>) => ({
        ...req,
        body: JSON.stringify({
          consent: true,
          phone: `+1415${String(2000000 + (phone++ % 7999999)).padStart(7, '0')}`,
        }),
      }),
    },
  ],
} as Partial<autocannon.Options>);

const pageRes = await fetch(`${base}/o/bench`);
const html = await pageRes.text();
const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';

async function timeSeq(n: number, url: (i: number) => string): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await (await fetch(url(i))).arrayBuffer();
  return (performance.now() - t) / n;
}
const run = Date.now().toString(36);
const qr = {
  svgCached: await timeSeq(200, () => `${base}/o/bench/qr.svg`),
  svgUncached: await timeSeq(200, (i) => `${base}/o/bench/qr.svg?c=u${run}${i}`),
  pngCached: await timeSeq(100, () => `${base}/o/bench/qr.png?size=512`),
  pngUncached: await timeSeq(50, (i) => `${base}/o/bench/qr.png?size=512&c=u${run}${i}`),
  noop: await timeSeq(200, () => `${base}/healthz`),
};

// Lighthouse, mobile (its default: a mid-range phone on a throttled 4G connection).
let lighthouseScores: Record<string, number> | null = null;
if (process.env.BENCH_LIGHTHOUSE !== '0') {
  const { launchChrome } = await import('../test/support/chrome.js');
  const { default: lighthouse } = await import('lighthouse');
  const browser = await launchChrome();
  try {
    const port = Number(new URL(browser.wsEndpoint()).port);
    const r = await lighthouse(`${base}/o/bench?via=qr`, {
      port,
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
      logLevel: 'error',
      output: 'json',
    });
    // A run Lighthouse could not finish scores 0: say why rather than report it as a figure.
    if (r?.lhr.runtimeError) throw new Error(`Lighthouse: ${r.lhr.runtimeError.code} ${r.lhr.runtimeError.message}`);
    lighthouseScores = Object.fromEntries(
      Object.entries(r?.lhr.categories ?? {}).map(([k, v]) => [k, Math.round((v.score ?? 0) * 100)]),
    );
  } finally {
    await browser.close();
  }
}

// The widget on a host page, with and without the snippet (the server must still be up).
const widgetLines: string[] = [];
if (existsSync(join(root, 'dist/widget/widget.js'))) {
  const { benchWidget } = await import('./widget.js');
  await benchWidget((l) => widgetLines.push(l), base, 'bench');
}

server.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const ratio = (x: Load) => (x.rps / noop.rps).toFixed(2);
const pass = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
console.log('\nRatios to the no-op route (targets from the issue):');
console.log(
  `  ${pass(post.rps / noop.rps >= 0.5 && post.p99 < 25)} POST /o/:app   ${ratio(post)}x  p99 ${post.p99} ms   (target >= 0.5x, p99 < 25 ms)`,
);
console.log(`  ${pass(get.rps / noop.rps >= 0.8)} GET /o/:app    ${ratio(get)}x                (target >= 0.8x)`);
console.log(`       POST optins    ${ratio(widget)}x  p99 ${widget.p99} ms`);
const failures = [noop, get, post, widget].reduce((n, l) => n + l.errors, 0);
if (failures) console.log(`  (${failures} errors or time-outs during load)`);
const non2xx = get.non2xx + widget.non2xx;
if (non2xx) console.log(`  (${non2xx} unexpected non-2xx answers on GET /o and the widget API)`);

const total = Buffer.byteLength(html);
const gz = gzipSync(html).length;
console.log('\nThe consent page (one request: the CSS is inlined under a CSP hash):');
console.log(
  `  ${pass(gz <= 6144)} total ${total} B, ${gz} B gzip, ${brotliCompressSync(html).length} B brotli (target <= 6 KB gzip)`,
);
console.log(
  `       HTML without CSS ${total - Buffer.byteLength(css)} B, CSS ${Buffer.byteLength(css)} B (${gzipSync(css).length} B gzip)`,
);

console.log('\nQR codes, ms per request over HTTP, sequential (ratio to GET /healthz):');
for (const [k, v] of Object.entries(qr))
  console.log(`  ${k.padEnd(12)} ${v.toFixed(2).padStart(6)} ms  ${(v / qr.noop).toFixed(1)}x`);

for (const l of widgetLines) console.log(l);

if (lighthouseScores) {
  const { performance: perf = 0, accessibility: a11y = 0 } = lighthouseScores;
  console.log(
    `\nLighthouse (mobile) on the consent page: ${Object.entries(lighthouseScores)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}  ${pass(perf === 100 && a11y === 100)} (target 100 for performance and accessibility)`,
  );
}

if (process.env.BENCH_CLUSTER !== '0') {
  const { benchCluster } = await import('./cluster.js');
  await benchCluster(console.log);
}

if (process.env.BENCH_USERS !== '0') {
  const { benchUsers } = await import('./users.js');
  await benchUsers(console.log);
}
