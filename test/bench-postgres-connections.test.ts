import pg from 'pg';
import { samplePostgresConnections } from '../bench/postgres-connections.ts';

// The bench's peak of PostgreSQL connections: the connections other clients hold count, against
// the server's own max_connections. Other test files share this server, so the peak is a floor.
test('the peak counts the client connections open while sampled, beside max_connections', async () => {
  const url = process.env.TEST_POSTGRES_URL ?? '';
  const sampler = await samplePostgresConnections(url, 10);
  const held = Array.from({ length: 5 }, () => new pg.Client({ connectionString: url }));
  try {
    await Promise.all(held.map((client) => client.connect()));
    const setting = await held[0]?.query<{ max: number }>(`select current_setting('max_connections')::int as max`);
    const figures = await sampler.stop();
    expect(figures.peak).toBeGreaterThanOrEqual(5);
    expect(figures.max).toBe(setting?.rows[0]?.max);
    expect(figures.samples).toBeGreaterThan(0);
  } finally {
    await Promise.all(held.map((client) => client.end()));
  }
});
