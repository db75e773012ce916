import { pino, type Logger } from 'pino';
import { currentLogIds } from '../../lib/log-context.ts';

/**
 * A real pino logger, wired as createLogger wires it (the ids in force are added to each line),
 * whose records at `level` and above are kept, parsed, for the test to read.
 */
export function capturedLog(level = 'warn'): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level, mixin: currentLogIds }, { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}
