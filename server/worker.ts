/**
 * `npm run worker`: the outbox worker as its own process, beside servers started with WORKER=off.
 * With PostgreSQL several may run at once; claims keep them from sending an item twice at once.
 */
import { systemClock } from '../core/clock.js';
import { parseConfig } from './config.js';
import { deliverMessage } from './delivery/messages.js';
import { deliverEvent } from './delivery/user-events.js';
import { OutboxWorker } from './delivery/worker.js';
import { checkSecretsAtStart } from './services/apps.js';
import { openStore } from './store/index.js';

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  console.error(
    'optin-kit worker: the configuration is invalid:\n' + parsed.problems.map((p) => `  - ${p}`).join('\n'),
  );
  process.exit(2);
}
const store = openStore(parsed.config.databaseUrl, parsed.config.secrets);
await store.migrate();
// The server's start-up check: without the key the stored secrets need, the worker would start and
// then fail each delivery that needs one.
try {
  await checkSecretsAtStart(store);
} catch (e) {
  console.error(`optin-kit worker: ${e instanceof Error ? e.message : String(e)}`);
  await store.close();
  process.exit(2);
}
const worker = new OutboxWorker(
  { store, clock: systemClock, config: parsed.config },
  { event: deliverEvent, message: deliverMessage },
);
worker.start();
console.log(`optin-kit worker delivering the outbox of the ${store.kind} store`);
const stop = async () => {
  await worker.stop();
  await store.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
