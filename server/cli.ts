import { parseArgs } from 'node:util';
import { parseConfig, type Config } from './config.js';
import { urlsFor } from './demo.js';
import { ApiError } from './errors.js';
import { startServer } from './main.js';
import { createApp, updateApp } from './services/apps.js';
import { openStore, type AppRecord, type Store } from './store/index.js';

const HELP = `optin-kit: collect WhatsApp opt-ins and prove them.

Usage:
  optin-kit serve                         start the server (PORT, DATABASE_URL, PUBLIC_URL, ...)
  optin-kit migrate                       apply database migrations and exit
  optin-kit apps create --name N --display-name D [--phone P] [--live]
  optin-kit apps list
  optin-kit apps show <name>
  optin-kit apps set <name> [--display-name D] [--phone P] [--live|--sandbox] [--prefill T]
                           [--phone-field required|optional|none] [--privacy-url U]
                           [--allowed-origin O ...] [--theme-color #RRGGBB]

The store is the one DATABASE_URL names (default ./data/optin-kit.db).
Run "optin-kit <command> --help" for a command's options.`;

export class CliError extends Error {}

function configOrExit(env: Record<string, string | undefined>): Config {
  const parsed = parseConfig(env);
  if (!parsed.ok) throw new CliError('the configuration is invalid:\n' + parsed.problems.map((p) => `  - ${p}`).join('\n'));
  return parsed.config;
}

function show(app: AppRecord, config: Config, out: (s: string) => void): void {
  out(`${app.name}  "${app.displayName}"  ${app.live ? 'live' : 'sandbox'}  phone ${app.phone ? '+' + app.phone : '(none)'}`);
  for (const [k, v] of Object.entries(urlsFor(config.publicUrl, app.name))) out(`  ${k.padEnd(18)} ${v}`);
}

async function withStore<T>(config: Config, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = openStore(config.databaseUrl);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Runs one CLI command; returns the exit code. Output goes through `out`/`err` so tests can read it. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      out(HELP);
      return cmd ? 0 : 2;
    }
    if (cmd === 'serve') {
      const running = await startServer(configOrExit(env), out);
      // Drain requests and flush counters on the way out, as `npm start` does.
      const stop = () => void running.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1; // keeps running
    }
    if (cmd === 'migrate') {
      const config = configOrExit(env);
      const applied = await withStore(config, (s) => s.migrate());
      out(applied.length ? `applied migrations ${applied.join(', ')}` : 'the store is up to date');
      return 0;
    }
    if (cmd === 'apps') {
      const config = configOrExit(env);
      const now = Date.now();
      if (sub === 'create') {
        const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, 'display-name': { type: 'string' }, phone: { type: 'string' }, live: { type: 'boolean' }, help: { type: 'boolean' } } });
        if (values.help) return out('optin-kit apps create --name Acme --display-name "Acme Shoes" [--phone +14155550123] [--live]'), 0;
        if (!values.name || !values['display-name']) throw new CliError('--name and --display-name are required');
        const { app, apiKey } = await withStore(config, (s) => createApp(s, { name: values.name!, displayName: values['display-name']!, phone: values.phone ?? null, live: values.live ?? false }, now));
        show(app, config, out);
        out(`\nAPI key (shown once, keep it secret): ${apiKey}`);
        return 0;
      }
      if (sub === 'list') {
        const apps = await withStore(config, (s) => s.listApps());
        if (apps.length === 0) out('no apps yet: optin-kit apps create --name Acme --display-name "Acme Shoes"');
        for (const a of apps) out(`${a.name.padEnd(24)} ${a.live ? 'live   ' : 'sandbox'} ${a.displayName}`);
        return 0;
      }
      if (sub === 'show' || sub === 'set') {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            'display-name': { type: 'string' },
            phone: { type: 'string' },
            live: { type: 'boolean' },
            sandbox: { type: 'boolean' },
            prefill: { type: 'string' },
            'phone-field': { type: 'string' },
            'privacy-url': { type: 'string' },
            'allowed-origin': { type: 'string', multiple: true },
            'theme-color': { type: 'string' },
            help: { type: 'boolean' },
          },
        });
        if (values.help) return out(HELP), 0;
        const name = positionals[0];
        if (!name) throw new CliError(`usage: optin-kit apps ${sub} <name>`);
        return await withStore(config, async (s) => {
          const app = await s.getApp(name);
          if (!app) throw new CliError(`no app is named ${name}`);
          if (sub === 'show') {
            show(app, config, out);
            return 0;
          }
          const settings: Record<string, unknown> = {};
          if (values.prefill !== undefined) settings.prefill = values.prefill;
          if (values['phone-field'] !== undefined) settings.phoneField = values['phone-field'];
          if (values['privacy-url'] !== undefined) settings.privacyUrl = values['privacy-url'] || null;
          if (values['allowed-origin'] !== undefined) settings.allowedOrigins = values['allowed-origin'];
          if (values['theme-color'] !== undefined) settings.theme = { color: values['theme-color'] };
          const changed = await updateApp(
            s,
            app,
            { displayName: values['display-name'], phone: values.phone, live: values.live ? true : values.sandbox ? false : undefined, settings: settings as never },
            now,
          );
          show(changed, config, out);
          return 0;
        });
      }
      throw new CliError(`unknown command "apps ${sub ?? ''}"; try optin-kit --help`);
    }
    throw new CliError(`unknown command "${cmd}"; try optin-kit --help`);
  } catch (e) {
    if (e instanceof CliError || e instanceof ApiError) {
      err(`optin-kit: ${e.message}`);
      return e instanceof ApiError ? 1 : 2;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`optin-kit: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** The `optin-kit` command. */
export async function cliMain(): Promise<void> {
  const code = await runCli(process.argv.slice(2), process.env, (s) => console.log(s), (s) => console.error(s));
  if (code >= 0) process.exit(code);
}

if (import.meta.url === `file://${process.argv[1]}`) await cliMain();
