// Makes sure the Temporal CLI is on this machine (downloading or building it once if need be) and
// prints its path; with --cluster, also the server, SQL tool and Web UI server that
// `npm run start:cluster` runs (built once with Go).
import { ensureTemporalCli } from '../supervisor/temporal-cli.ts';
import { ensureTemporalClusterTools } from '../supervisor/temporal-cluster-tools.ts';

try {
  console.log(await ensureTemporalCli());
  if (process.argv.includes('--cluster')) console.log(Object.values(await ensureTemporalClusterTools()).join('\n'));
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
