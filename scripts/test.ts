/**
 * `npm test`: the preflight (scripts/preflight.ts), then typecheck, lint, format check, build, the Node tests and the
 * browser tests, in that order, stopping at the first failing step with its exit code.
 *
 * One process runs the whole sequence so that the preflight's verdict (OPTIN_KIT_NO_CHROME,
 * OPTIN_KIT_NO_POSTGRES) reaches every step through the environment: npm runs a script in a shell
 * of its own, so a `preflight && …` chain could not pass it on, and a file left behind could go stale.
 */
import { spawnSync } from 'node:child_process';
import { NO_CHROME, runPreflight } from './preflight.js';

const { ok, env } = await runPreflight();
if (!ok) process.exit(1);
Object.assign(process.env, env);

const steps = [['typecheck'], ['lint'], ['format:check'], ['build', '--silent'], ['test:node'], ['test:browser']];
for (const step of steps) {
  // The preflight's line already said that the browser tests are skipped.
  if (step[0] === 'test:browser' && env[NO_CHROME] === '1') continue;
  const npm = process.env.npm_execpath;
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', ...step], { stdio: 'inherit' })
    : spawnSync('npm', ['run', ...step], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
