import { randomBytes } from 'node:crypto';

/** The URL of a database no other test uses (it is created when first opened). */
export function freshDatabaseUrl(prefix: string): string {
  const serverUrl = process.env.TEST_POSTGRES_URL;
  if (!serverUrl) throw new Error('TEST_POSTGRES_URL is not set: run the tests through Jest (npm test).');
  const url = new URL(serverUrl);
  url.pathname = `/${prefix}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}
