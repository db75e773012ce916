import { ConfigError } from './config.ts';
import type { Logger } from './logger.ts';
import { tellParentReady, whenParentGone } from './parent-process.ts';

/** A stop that hangs (a drain waiting on a dead dependency) must not keep the process for ever. */
export const STOP_DEADLINE_MS = 15_000;

/**
 * Runs a process's start-up; a bad setting ends it with the message alone, any other failure
 * with its stack. SIGINT and SIGTERM run the returned stop function once, then exit.
 */
export async function runMain(start: () => Promise<{ logger: Logger; stop: () => Promise<void> }>): Promise<void> {
  try {
    const { logger, stop } = await start();
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      setTimeout(() => {
        logger.error(`did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting anyway`);
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'failed to stop cleanly');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    // Run by the supervisor: tell it we are ready; when it is gone (even killed), so is the reason to run.
    tellParentReady();
    whenParentGone(() => shutdown('SIGTERM'));
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}
