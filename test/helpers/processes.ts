import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ChildProcessInfo {
  pid: number;
  command: string;
}

/** The process ids of a process's children, with their command lines. */
export async function childrenOf(pid: number): Promise<ChildProcessInfo[]> {
  const { stdout } = await run('ps', ['-o', 'pid=,args=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [child, ...command] = line.trim().split(/\s+/);
      return { pid: Number(child), command: command.join(' ') };
    });
}

/** The child whose command line names the program, if one runs. */
export async function childRunning(parentPid: number, program: string): Promise<ChildProcessInfo | undefined> {
  return (await childrenOf(parentPid)).find((child) => child.command.includes(program));
}
