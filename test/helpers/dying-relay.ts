/**
 * A relay process that dies between starting a workflow and marking its row: run as a child
 * process, it claims one batch, prints the run id of the first workflow Temporal accepted, and
 * then waits, holding its transaction open, for the test to SIGKILL it.
 */
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../../lib/logger.ts';
import { readTemporalConnection } from '../../lib/temporal/connection-config.ts';
import { openOrdersDatabase } from '../../services/orders/database.ts';
import { OutboxRelay } from '../../services/orders/outbox/outbox-relay.ts';

const { ORDERS_DATABASE_URL = '' } = process.env;
const { options, namespace } = readTemporalConnection();
const connection = await Connection.connect(options);
const temporal = new Client({
  connection,
  namespace,
  interceptors: {
    workflow: [
      {
        async startWithDetails(input, next) {
          process.stdout.write(`${(await next(input)).runId}\n`);
          return new Promise(() => undefined);
        },
      },
    ],
  },
});
const relay = new OutboxRelay({
  orm: await openOrdersDatabase(ORDERS_DATABASE_URL, 1),
  temporal,
  logger: createLogger('dying-relay', 'silent'),
  databaseUrl: ORDERS_DATABASE_URL,
  batchSize: 1,
  pollIntervalMs: 60_000,
  maxAttempts: 30,
  startTimeoutMs: 600_000,
});
await relay.publishBatch();
