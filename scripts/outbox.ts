// The operator's outbox tool: `npm run outbox -- list` shows dead letters, `npm run outbox -- retry <id>` re-arms one.
import { readConfig, setting } from '../lib/config.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { listDeadLetters, retryDeadLetter } from '../services/orders/outbox/dead-letters.ts';

const [command, id] = process.argv.slice(2);
if (command !== 'list' && !(command === 'retry' && id && /^\d+$/.test(id))) {
  console.error('usage: npm run outbox -- list | retry <id>');
  process.exit(2);
}
const config = readConfig({ ORDERS_DATABASE_URL: setting.postgresUrl() });
const orm = await openOrdersDatabase(config.ORDERS_DATABASE_URL, 1);
try {
  if (command === 'list') {
    for (const row of await listDeadLetters(orm.em.fork())) console.log(JSON.stringify(row));
  } else if (await retryDeadLetter(orm.em.fork(), id ?? '')) {
    console.log(`outbox row ${id} re-armed; a relay will start it now`);
  } else {
    console.error(`no dead-lettered outbox row ${id}`);
    process.exitCode = 1;
  }
} finally {
  await orm.close();
}
