import { pino, type Logger } from 'pino';
import { currentLogIds } from './log-context.ts';

export type { Logger };

/**
 * One JSON line per event; secrets and tokens never reach the log. Every line carries the ids of
 * the request or activity it was written for (lib/log-context.ts).
 */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    mixin: currentLogIds,
    redact: ['req.headers.authorization', 'req.headers["x-internal-token"]'],
  });
}
