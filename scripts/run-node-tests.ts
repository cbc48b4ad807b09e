/**
 * Runs every Node test file (`*.test.ts` under core/, server/, test/; browser component tests run in
 * web-test-runner instead) with Node's own test runner, one file per process. Runs the preflight
 * (scripts/preflight.ts) first unless `npm test` already did.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensurePreflight } from './preflight.js';

const root = join(import.meta.dirname, '..');
const filter = process.argv[2];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts') && !name.endsWith('.browser.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = ['core', 'server', 'test']
  .flatMap((d) => walk(join(root, d), []))
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
await ensurePreflight();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
