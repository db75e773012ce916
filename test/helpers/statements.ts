import pg from 'pg';

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * The statements this process sends to one database while `run` runs, in order: each is a round
 * trip, BEGIN and COMMIT included. Counted in the pg client, under every pool and the ORM.
 */
export async function statementsDuring(databaseUrl: string, run: () => Promise<unknown>): Promise<string[]> {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const statements: string[] = [];
  const client = pg.Client.prototype as unknown as { query: Query };
  const query = client.query;
  client.query = function (...args) {
    const [config] = args;
    if (this.database === database) statements.push(typeof config === 'string' ? config : String((config as { text?: string }).text));
    return query.apply(this, args);
  };
  try {
    await run();
  } finally {
    client.query = query;
  }
  return statements;
}
