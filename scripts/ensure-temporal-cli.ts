// Makes sure the Temporal CLI is on this machine (downloading or building it once if need be) and prints its path.
import { ensureTemporalCli } from '../supervisor/temporal-cli.ts';

try {
  console.log(await ensureTemporalCli());
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
