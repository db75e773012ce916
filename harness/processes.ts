import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { programNamed, type ProgramName } from '../supervisor/programs.ts';

const run = promisify(execFile);

export interface ProcessInfo {
  pid: number;
  command: string;
}

/**
 * Every process below a process (children, their children, ...), with their command lines: the
 * supervisor's programs and what they run in turn, such as the Temporal server under its wrapper.
 */
export async function descendantsOf(pid: number): Promise<ProcessInfo[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=,args=']).catch(() => ({ stdout: '' }));
  const all = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [child, parent, ...command] = line.trim().split(/\s+/);
      return { pid: Number(child), parent: Number(parent), command: command.join(' ') };
    });
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of all) {
      if (!parents.has(entry.parent) || parents.has(entry.pid)) continue;
      parents.add(entry.pid);
      found.push({ pid: entry.pid, command: entry.command });
      grew = true;
    }
  }
  return found;
}

/** The process below `ancestorPid` whose command line names the program, if one runs. */
export async function descendantRunning(ancestorPid: number, program: string): Promise<ProcessInfo | undefined> {
  return (await descendantsOf(ancestorPid)).find((child) => child.command.includes(program));
}

/** The process of one program of the registry below the supervisor, if it runs. */
export function programRunning(supervisorPid: number, name: ProgramName): Promise<ProcessInfo | undefined> {
  return descendantRunning(supervisorPid, programNamed(name).entry);
}

/** The processes of every copy of one program of the registry below the supervisor (two under the cluster mode). */
export async function programCopiesRunning(supervisorPid: number, name: ProgramName): Promise<ProcessInfo[]> {
  return (await descendantsOf(supervisorPid)).filter((child) => child.command.includes(programNamed(name).entry));
}
