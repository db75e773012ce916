import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../workflows/names.ts';
import type { ChildSpec } from './child.ts';

/**
 * `temporal server start-dev` with its Web UI, its state in SQLite under the data folder (so a
 * restart loses no workflow), and the search attributes the payment workflow sets.
 */
export function temporalDevServer(cli: string, options: { dataDir: string; port: number; uiPort: number }): Pick<ChildSpec, 'name' | 'command' | 'args'> {
  const searchAttributes = Object.values(SEARCH_ATTRIBUTES).flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
  return {
    name: 'temporal',
    command: cli,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--db-filename',
      join(options.dataDir, 'temporal.db'),
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      '--log-level',
      'warn',
      ...searchAttributes,
    ],
  };
}
