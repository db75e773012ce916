import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './process-alive.ts';

/**
 * Claims the data folder for this supervisor, or says which process already has it, so a
 * second `npm start` explains itself instead of failing on a busy port.
 */
export function claimDataDir(dataDir: string): { release: () => void } {
  const pidFile = join(dataDir, 'supervisor.pid');
  const other = readPid(pidFile);
  if (other !== undefined && other !== process.pid && isAlive(other)) {
    throw new Error(`The system is already running from ${dataDir} (supervisor pid ${other}). Stop it first (Ctrl-C in its terminal).`);
  }
  writeFileSync(pidFile, String(process.pid));
  return { release: () => rmSync(pidFile, { force: true }) };
}

function readPid(file: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return undefined;
  }
}

