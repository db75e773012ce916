import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON line per event; secrets and tokens never reach the log. */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    redact: ['req.headers.authorization', 'req.headers["x-internal-token"]'],
  });
}
