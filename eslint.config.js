// @ts-check
/**
 * ESLint (flat config): typescript-eslint's recommended rules, kept pragmatic, plus the import zones
 * that keep the layers apart (see ZONES below).
 */
import { posix } from 'node:path';
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const CODE = '{ts,tsx,mts,cts,js,mjs,cjs}';

/**
 * Import zones: a file under `from` may not import (statically, with `import()`, or in a
 * `typeof import('…')` type) from the folders `folders`, nor the npm packages `packages` (`@scope/*`
 * is a whole scope). Folders are repository paths; they need not exist yet.
 *
 * The code imports with relative paths (`'../store/store.js'`), so each zone is turned into one
 * override per folder depth, each with the exact relative prefixes that reach the forbidden folders
 * from that depth. Zones must not nest: ESLint keeps one set of options per rule per file, so
 * nested zones would override each other (checked below).
 */
const ZONES = [
  {
    from: 'core',
    folders: ['server', 'widget', 'landing'],
    packages: ['lit', 'hono', '@hono/*', 'better-sqlite3', 'pg'],
  },
  {
    from: 'server/store',
    folders: [
      'server/routes',
      'server/services',
      'server/views',
      'server/settings-page',
      'server/middleware',
      'server/delivery',
    ],
    packages: ['hono'],
  },
  { from: 'server/services', folders: ['server/routes', 'server/middleware', 'server/settings-page'], packages: [] },
  { from: 'widget', folders: ['server'], packages: [] },
];
/** How deep below a zone's folder its files may sit (core/a/b/c/x.ts is depth 3). */
const MAX_DEPTH = 6;

for (const a of ZONES) {
  for (const b of ZONES) {
    if (a !== b && (b.from + '/').startsWith(a.from + '/'))
      throw new Error(`eslint.config.js: zone ${b.from} nests in zone ${a.from}`);
  }
}

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function zoneConfigs({ from, folders, packages }) {
  const pkgRegex = packages.length
    ? `^(${packages.map((p) => escapeRegex(p).replace(/\\\*$/, '[^/]+')).join('|')})(/|$)`
    : null;
  const configs = [];
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const dir = posix.join(from, ...Array(depth).fill('d'));
    const rules = folders.map((folder) => ({
      regex: `^${escapeRegex(posix.relative(dir, folder))}(/|$)`,
      message: `${from}/ must not import from ${folder}/ (import zones in eslint.config.js).`,
    }));
    if (pkgRegex)
      rules.push({
        regex: pkgRegex,
        message: `${from}/ must not import ${packages.join(', ')} (import zones in eslint.config.js).`,
      });
    configs.push({
      name: `optin-kit/zone:${from}/${'*/'.repeat(depth)}`,
      files: [`${from}/${'*/'.repeat(depth)}*.${CODE}`],
      rules: {
        'no-restricted-imports': ['error', { patterns: rules }],
        // no-restricted-imports sees import/export declarations only; these catch `import('…')`
        // and `typeof import('…')`.
        'no-restricted-syntax': [
          'error',
          ...rules.map(({ regex, message }) => ({
            selector: `:matches(ImportExpression, TSImportType)[source.value=/${regex.replaceAll('/', '\\/')}/]`,
            message,
          })),
        ],
      },
    });
  }
  return configs;
}

export default defineConfig(
  { name: 'optin-kit/ignores', ignores: ['dist/', 'node_modules/', '.bench/', 'custom-elements.json', 'docs/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'optin-kit/base',
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Chai's property assertions (`expect(x).to.exist`) are expressions by design.
    name: 'optin-kit/tests',
    files: ['test/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    name: 'optin-kit/browser',
    files: ['widget/**', 'landing/**', 'test/widget/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  ZONES.flatMap(zoneConfigs),
);
