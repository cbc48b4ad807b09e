import { parseArgs } from 'node:util';
import { parseConfig, type Config } from './config.js';
import { urlsFor } from './demo.js';
import { ApiError } from './errors.js';
import { startServer } from './main.js';
import { createApp, updateApp } from './services/apps.js';
import { openStore, type AppRecord, type Store } from './store/index.js';
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { isValidCampaign } from '../core/app-name.js';
import { VIAS } from '../core/optin-state.js';
import { newApiKey } from './keys.js';
import { qrTarget } from '../core/links.js';
import { appByName, listApps, resealSecrets } from './store/apps.js';
import { newKey, SecretsKeyMissing } from './store/secret-box.js';
import { rotateKey } from './store/keys.js';
import { usersCsv } from './services/export.js';
import { userView } from './services/user-view.js';
import { decodeCursor, listUsers } from './store/users.js';
import { deliveryState, nextAttemptAt, parseSince } from './services/event-view.js';
import { listOutbox, outboxEntry, recoverSince, retryNow } from './store/outbox.js';

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
  optin-kit qr <app> --out poster.png|poster.svg [--campaign C] [--size 1024]
  optin-kit users list <app> [--optin S] [--activity A] [--via V] [--limit N] [--cursor C]
  optin-kit users export <app> > optins.csv
  optin-kit keys rotate <app>
  optin-kit secrets new-key | rotate      a key for SECRETS_KEY; encrypt stored secrets again under it
  optin-kit events list <app> [--state S] [--limit N]
  optin-kit events retry <app> <event-id>
  optin-kit events recover <app> --since <ISO time | 30m | 6h | 2d>

The store is the one DATABASE_URL names (default ./data/optin-kit.db).
Run "optin-kit <command> --help" for a command's options.`;

export class CliError extends Error {}

function configOrExit(env: Record<string, string | undefined>): Config {
  const parsed = parseConfig(env);
  if (!parsed.ok)
    throw new CliError('the configuration is invalid:\n' + parsed.problems.map((p) => `  - ${p}`).join('\n'));
  return parsed.config;
}

function show(app: AppRecord, config: Config, out: (s: string) => void): void {
  out(
    `${app.name}  "${app.displayName}"  ${app.live ? 'live' : 'sandbox'}  phone ${app.phone ? '+' + app.phone : '(none)'}`,
  );
  for (const [k, v] of Object.entries(urlsFor(config.publicUrl, app.name))) out(`  ${k.padEnd(18)} ${v}`);
}

async function withStore<T>(config: Config, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = openStore(config.databaseUrl, config.secrets);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function appNamed(s: Store, name: string | undefined): Promise<AppRecord> {
  if (!name) throw new CliError('name the app, for example: optin-kit users list Acme');
  const app = await s.read(appByName, name);
  if (!app) throw new CliError(`no app is named ${name}`);
  return app;
}

async function qrCommand(args: string[], config: Config, out: (s: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      campaign: { type: 'string', short: 'c' },
      size: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help)
    return (
      out(
        'optin-kit qr <app> --out poster.png|poster.svg [--campaign C] [--size 1024]: the QR code of the consent page, to print.',
      ),
      0
    );
  const file = values.out;
  if (!file || !/\.(png|svg)$/i.test(file)) throw new CliError('--out must name a .png or .svg file');
  if (values.campaign !== undefined && !isValidCampaign(values.campaign))
    throw new CliError('--campaign must be 1 to 64 letters, digits, - or _');
  const size = Number(values.size ?? 1024);
  if (!Number.isInteger(size) || size < 128 || size > 4096)
    throw new CliError('--size must be a whole number from 128 to 4096');
  return withStore(config, async (s) => {
    const app = await appNamed(s, positionals[0]);
    const text = qrTarget(config.publicUrl, app.name, values.campaign ?? null);
    const body = /\.svg$/i.test(file)
      ? await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
      : await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width: size });
    writeFileSync(file, body);
    out(`wrote ${file}: ${text}`);
    if (config.publicUrl.startsWith('http://localhost') || config.publicUrl.startsWith('http://127.'))
      out('note: PUBLIC_URL is a local address; set it to the public one before printing');
    return 0;
  });
}

async function usersCommand(
  sub: string | undefined,
  rest: string[],
  config: Config,
  out: (s: string) => void,
  err: (s: string) => void,
  write: (chunk: string) => Promise<void>,
): Promise<number> {
  if (sub === 'export') {
    const { positionals, values } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { help: { type: 'boolean' } },
    });
    if (values.help)
      return (out('optin-kit users export <app> > optins.csv: every user as CSV on stdout; progress on stderr.'), 0);
    return withStore(config, async (s) => {
      const app = await appNamed(s, positionals[0]);
      let last = 0;
      for await (const chunk of usersCsv(s, app, Date.now(), (n) => {
        if (n - last >= 10_000) err(`optin-kit: ${(last = n).toLocaleString('en')} users exported…`);
      }))
        await write(chunk);
      err('optin-kit: export done');
      return 0;
    });
  }
  if (sub === 'list') {
    const { positionals, values } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        optin: { type: 'string' },
        activity: { type: 'string' },
        via: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help)
      return (
        out(
          'optin-kit users list <app> [--optin opted_in|opted_out|none] [--activity active|inactive] [--via qr|url|widget|first_message|sms|api] [--limit N] [--cursor C]',
        ),
        0
      );
    if (values.optin && !['opted_in', 'opted_out', 'none'].includes(values.optin))
      throw new CliError('--optin must be opted_in, opted_out or none');
    if (values.activity && !['active', 'inactive'].includes(values.activity))
      throw new CliError('--activity must be active or inactive');
    if (values.via && !(VIAS as readonly string[]).includes(values.via))
      throw new CliError(`--via must be one of ${VIAS.join(', ')}`);
    const limit = Number(values.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be 1 to 1000');
    const after = values.cursor ? decodeCursor(values.cursor) : null;
    if (values.cursor && !after) throw new CliError('--cursor is not one this command printed');
    return withStore(config, async (s) => {
      const app = await appNamed(s, positionals[0]);
      const now = Date.now();
      const page = await s.read(
        listUsers,
        app.id,
        {
          optin: values.optin as never,
          activity: values.activity as never,
          via: values.via as never,
          unverifiedCountsAsOptin: app.settings.unverifiedCountsAsOptin,
        },
        { after, limit, now },
      );
      out(`${'phone'.padEnd(16)} ${'optin'.padEnd(10)} ${'activity'.padEnd(9)} ${'via'.padEnd(14)} verified  since`);
      for (const u of page.users.map((x) => userView(x, now, app.settings.unverifiedCountsAsOptin))) {
        out(
          `${('+' + u.phone).padEnd(16)} ${u.optin.padEnd(10)} ${u.activity.padEnd(9)} ${(u.via ?? '').padEnd(14)} ${(u.verified ? 'yes' : 'no').padEnd(9)} ${u.optinAt ?? ''}`,
        );
      }
      if (page.next) err(`optin-kit: more users: add --cursor ${page.next}`);
      return 0;
    });
  }
  throw new CliError(
    `unknown command "users ${sub ?? ''}"; try optin-kit users list <app> or optin-kit users export <app>`,
  );
}

/** Runs one CLI command; returns the exit code. Output goes through `out`/`err` so tests can read it. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (s: string) => void,
  err: (s: string) => void,
  write: (chunk: string) => Promise<void> = (chunk) =>
    new Promise((r) => (process.stdout.write(chunk) ? r() : process.stdout.once('drain', r))),
): Promise<number> {
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
        const { values } = parseArgs({
          args: rest,
          options: {
            name: { type: 'string' },
            'display-name': { type: 'string' },
            phone: { type: 'string' },
            live: { type: 'boolean' },
            help: { type: 'boolean' },
          },
        });
        if (values.help)
          return (
            out('optin-kit apps create --name Acme --display-name "Acme Shoes" [--phone +14155550123] [--live]'),
            0
          );
        if (!values.name || !values['display-name']) throw new CliError('--name and --display-name are required');
        const { app, apiKey } = await withStore(config, (s) =>
          createApp(
            s,
            {
              name: values.name!,
              displayName: values['display-name']!,
              phone: values.phone ?? null,
              live: values.live ?? false,
            },
            now,
          ),
        );
        show(app, config, out);
        out(`\nAPI key (shown once, keep it secret): ${apiKey}`);
        return 0;
      }
      if (sub === 'list') {
        const apps = await withStore(config, (s) => s.read(listApps));
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
        if (values.help) return (out(HELP), 0);
        const name = positionals[0];
        if (!name) throw new CliError(`usage: optin-kit apps ${sub} <name>`);
        return await withStore(config, async (s) => {
          const app = await s.read(appByName, name);
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
            {
              displayName: values['display-name'],
              phone: values.phone,
              live: values.live ? true : values.sandbox ? false : undefined,
              settings: settings as never,
            },
            now,
          );
          show(changed, config, out);
          return 0;
        });
      }
      throw new CliError(`unknown command "apps ${sub ?? ''}"; try optin-kit --help`);
    }
    if (cmd === 'qr')
      return await qrCommand(
        [sub, ...rest].filter((a): a is string => a !== undefined),
        configOrExit(env),
        out,
      );
    if (cmd === 'users') return await usersCommand(sub, rest, configOrExit(env), out, err, write);
    if (cmd === 'events') return await eventsCommand(sub, rest, configOrExit(env), out, err);
    if (cmd === 'keys') {
      if (sub !== 'rotate') throw new CliError(`unknown command "keys ${sub ?? ''}"; try optin-kit keys rotate <app>`);
      const { positionals, values } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { help: { type: 'boolean' } },
      });
      if (values.help)
        return (
          out('optin-kit keys rotate <app>: a new API key (shown once); every older key of the app is revoked.'),
          0
        );
      const config = configOrExit(env);
      return await withStore(config, async (s) => {
        const app = await appNamed(s, positionals[0]);
        const key = newApiKey();
        const revoked = await s.transact(rotateKey, app.id, key, Date.now());
        out(`New API key for ${app.name} (shown once, keep it secret): ${key.key}`);
        err(`optin-kit: ${revoked} older key${revoked === 1 ? '' : 's'} revoked`);
        return 0;
      });
    }
    if (cmd === 'secrets') {
      const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean' } } });
      if (values.help || (sub !== 'new-key' && sub !== 'rotate')) {
        out('optin-kit secrets new-key   print a new random key for SECRETS_KEY (base64, 32 bytes)');
        out('optin-kit secrets rotate    encrypt every app’s stored secrets again under SECRETS_KEY; keys in');
        out('                            SECRETS_OLD_KEYS (comma-separated) open what they sealed until then');
        return values.help ? 0 : 2;
      }
      if (sub === 'new-key') return (out(newKey()), 0);
      const config = configOrExit(env);
      return await withStore(config, async (s) => {
        const kr = s.keyring();
        const r = await s.transact(resealSecrets, { all: true });
        out(
          `encrypted the secrets of ${r.sealed} app(s) again under key ${kr.currentId}; ${r.unchanged} already were. Older keys may now be removed from SECRETS_OLD_KEYS.`,
        );
        return 0;
      });
    }
    throw new CliError(`unknown command "${cmd}"; try optin-kit --help`);
  } catch (e) {
    if (e instanceof SecretsKeyMissing) {
      err(`optin-kit: ${e.message}`);
      return 1;
    }
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

async function eventsCommand(
  sub: string | undefined,
  rest: string[],
  config: Config,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      state: { type: 'string' },
      limit: { type: 'string' },
      since: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !sub) {
    out('optin-kit events list <app> [--state due|waiting|claimed|delivered|failed] [--limit N]');
    out('optin-kit events retry <app> <event-id>         the event is due now (a failed one gets a fresh schedule)');
    out('optin-kit events recover <app> --since 6h       everything that failed or waits since then is due now');
    return values.help ? 0 : 2;
  }
  const now = Date.now();
  return withStore(config, async (s) => {
    const app = await appNamed(s, positionals[0]);
    if (sub === 'list') {
      const limit = Number(values.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('--limit must be 1 to 500');
      const items = (await s.read(listOutbox, app.id, 'event', { limit: values.state ? 500 : limit }))
        .map((e) => ({ e, state: deliveryState(e, now) }))
        .filter((x) => !values.state || x.state === values.state)
        .slice(0, limit);
      out(`${'id'.padEnd(42)} ${'type'.padEnd(13)} ${'state'.padEnd(9)} tries  next attempt / claimed until`);
      for (const { e, state } of items) {
        const next = nextAttemptAt(e, now);
        out(
          `${e.id.padEnd(42)} ${e.type.padEnd(13)} ${state.padEnd(9)} ${String(e.attempts).padStart(5)}  ${next === null ? '' : new Date(next).toISOString()}${e.lastError ? `  (${e.lastError.slice(0, 60)})` : ''}`,
        );
      }
      return 0;
    }
    if (sub === 'retry') {
      const id = positionals[1];
      if (!id) throw new CliError('name the event: optin-kit events retry <app> <event-id>');
      const entry = await s.read(outboxEntry, id);
      if (!entry || entry.item.appId !== app.id || entry.item.kind !== 'event')
        throw new CliError(`${app.name} has no event ${id}`);
      const r = await s.transact(retryNow, id, now);
      if (r === 'claimed') {
        err(`optin-kit: a worker holds ${id} until ${new Date(entry.item.lockedUntil).toISOString()}; try after that`);
        return 1;
      }
      out(`${id} is due now: a running server delivers it within a second`);
      return 0;
    }
    if (sub === 'recover') {
      const since = values.since === undefined ? null : parseSince(values.since, now);
      if (since === null || since > now) throw new CliError('--since must be a past ISO time, or 30m, 6h, 2d');
      const n = await s.transact(recoverSince, app.id, 'event', since, now);
      out(
        `${n} event${n === 1 ? '' : 's'} of ${app.name} since ${new Date(since).toISOString()} ${n === 1 ? 'is' : 'are'} due now`,
      );
      return 0;
    }
    throw new CliError(`unknown command "events ${sub}"; try optin-kit events --help`);
  });
}

/** The `optin-kit` command. */
export async function cliMain(): Promise<void> {
  const code = await runCli(
    process.argv.slice(2),
    process.env,
    (s) => console.log(s),
    (s) => console.error(s),
  );
  if (code >= 0) process.exit(code);
}

if (import.meta.url === `file://${process.argv[1]}`) await cliMain();
