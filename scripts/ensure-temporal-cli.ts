// Makes sure the Temporal CLI is on this machine (building it once with Go if need be) and prints its path.
import { ensureTemporalCli } from '../supervisor/temporal-cli.ts';

const path = await ensureTemporalCli();
if (!path) {
  console.error('No Temporal CLI was found and Go is not installed to build it; set TEMPORAL_CLI_PATH or install Go.');
  process.exit(1);
}
console.log(path);
