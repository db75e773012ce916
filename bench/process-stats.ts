import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { PROGRAMS } from '../supervisor/programs.ts';

export interface ProcessSample {
  name: string;
  /**
   * CPU time used so far by the program's processes, with that of the processes they ran and
   * waited for: a PostgreSQL backend that ended between two samples still counts.
   */
  cpuSeconds: number;
  rssMiB: number;
  /**
   * Proportional set size: each page shared by n processes counts 1/n to each. Summed over a tree
   * it is the tree's real memory; summed RSS counts PostgreSQL's shared buffers once per backend.
   */
  pssMiB: number;
}

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/**
 * CPU time used so far and resident memory of each program under the supervisor, with what it runs
 * in turn (PostgreSQL with its backends, the Temporal server under its wrapper).
 */
export function sampleProcesses(supervisorPid: number): ProcessSample[] {
  const stats = new Map<string, ProcessSample>();
  const walk = (pid: number, name: string | undefined) => {
    let stat: string[];
    let command: string;
    let pssKiB: number;
    try {
      // After the last ') ': the command name before it, in parentheses, may hold ') ' itself.
      const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
      stat = line.slice(line.lastIndexOf(') ') + 2).split(' ');
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      pssKiB = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      return;
    }
    const own = name ?? PROGRAMS.find((program) => command.includes(program.entry))?.name;
    if (own) {
      const sample = stats.get(own) ?? { name: own, cpuSeconds: 0, rssMiB: 0, pssMiB: 0 };
      // Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after the command's name.
      // The last two are the CPU of ended children, once their parent waited for them: without
      // them, a backend that ended between two samples takes its CPU with it, and the difference
      // of two samples undercounts, even below zero. A live process is in no one's cutime, so
      // nothing counts twice.
      sample.cpuSeconds += (Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14])) / TICKS;
      sample.rssMiB += (Number(stat[21]) * 4096) / 2 ** 20;
      sample.pssMiB += pssKiB / 1024;
      stats.set(own, sample);
    }
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
    for (const child of children) walk(child, own);
  };
  walk(supervisorPid, undefined);
  return [...stats.values()];
}

/** The CPU seconds one program used between two samples (NaN if the later one lacks it). */
export function cpuSecondsBetween(before: ProcessSample[], after: ProcessSample[], name: string): number {
  const cpuOf = (samples: ProcessSample[]) => samples.find((sample) => sample.name === name)?.cpuSeconds;
  return (cpuOf(after) ?? Number.NaN) - (cpuOf(before) ?? 0);
}
