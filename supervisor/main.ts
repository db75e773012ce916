// `npm start`: the whole system on one machine, each program in a process of its own.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../lib/config.ts';
import { startEmbeddedPostgres, type RunningPostgres } from '../lib/database/embedded-postgres.ts';
import { Child } from './child.ts';
import { readSupervisorConfig } from './config.ts';
import { loadDevSecrets } from './dev-secrets.ts';
import { assertPortsFree } from './ports.ts';
import { claimDataDir } from './single-instance.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const entry = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const isReady = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;

try {
  const config = readSupervisorConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const claim = claimDataDir(config.DATA_DIR);
  const useEmbeddedPostgres = !config.PAYMENTS_DATABASE_URL;
  await assertPortsFree({
    gateway: config.GATEWAY_PORT,
    payments: config.PAYMENTS_PORT,
    ...(useEmbeddedPostgres ? { 'embedded PostgreSQL': config.EMBEDDED_POSTGRES_PORT } : {}),
  });

  let postgres: RunningPostgres | undefined;
  if (useEmbeddedPostgres) {
    say(`postgres  | starting the embedded PostgreSQL (data in ${join(config.DATA_DIR, 'postgres')})`);
    postgres = await startEmbeddedPostgres({
      dataDir: join(config.DATA_DIR, 'postgres'),
      port: config.EMBEDDED_POSTGRES_PORT,
      persistent: true,
      // Its routine chatter stays out of the way; trouble is shown. (A service's first connection
      // finds its database missing and creates it: that FATAL is expected.)
      onLog: (line) => /ERROR|FATAL|PANIC/.test(line) && !/database ".+" does not exist/.test(line) && say(`postgres  | ${line}`),
    });
  }

  const devSecrets = config.JWT_SECRET && config.INTERNAL_TOKEN ? undefined : loadDevSecrets(config.DATA_DIR);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JWT_SECRET: config.JWT_SECRET ?? devSecrets?.JWT_SECRET,
    INTERNAL_TOKEN: config.INTERNAL_TOKEN ?? devSecrets?.INTERNAL_TOKEN,
    PAYMENTS_DATABASE_URL: config.PAYMENTS_DATABASE_URL ?? postgres?.urlOf('payments'),
    PAYMENTS_URL: `http://127.0.0.1:${config.PAYMENTS_PORT}`,
  };

  // In start order; stopped in the reverse one.
  const children = [
    new Child({ name: 'payments', entry: entry('../services/payments/main.ts'), env, ready: isReady(config.PAYMENTS_PORT) }, say),
    new Child({ name: 'gateway', entry: entry('../services/gateway/main.ts'), env, ready: isReady(config.GATEWAY_PORT) }, say),
  ];

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('supervisor| stopping...');
    for (const child of children) child.expectExit();
    for (const child of children.toReversed()) await child.stop();
    await postgres?.stop();
    claim.release();
    say('supervisor| stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  for (const child of children) await child.start();

  const api = `http://localhost:${config.GATEWAY_PORT}`;
  say(
    [
      '',
      '  The shop is up.',
      `  API      ${api}/api  (try: curl -H "Authorization: Bearer $(npm run -s token -- alice)" ${api}/api/account)`,
      `  Health   ${api}/healthz, ${api}/readyz`,
      `  Data     ${config.DATA_DIR}${postgres ? ` (embedded PostgreSQL on port ${config.EMBEDDED_POSTGRES_PORT})` : ''}`,
      '  Stop     Ctrl-C',
      '',
    ].join('\n'),
  );
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
}
