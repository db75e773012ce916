// The project's Dockerfile carried out without a Docker engine: each stage in a folder of its
// own, its COPY and RUN steps done there as written, so a test can run the programs from the
// final stage's folder exactly as the image holds them. Only what this Dockerfile uses is
// understood (FROM, WORKDIR, ENV, COPY [--from], RUN, USER, CMD); anything else is refused, so a
// new instruction cannot slip past the test unseen.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);

export interface BuiltImage {
  /** The final stage's working directory: the image's /app. */
  dir: string;
  /** The image's ENV settings. */
  env: Record<string, string>;
  /** Every RUN step, in order, with what it took. */
  steps: { command: string; ms: number }[];
}

interface Stage {
  dir: string;
  workdir: string;
  env: Record<string, string>;
}

/** The Dockerfile's instructions, one per entry, with line continuations joined and comments dropped. */
export function dockerfileInstructions(text = readFileSync(join(root, 'Dockerfile'), 'utf8')): { keyword: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Builds the image into `into`: a folder per stage, the last one the image. */
export async function buildImage(into: string): Promise<BuiltImage> {
  const stages = new Map<string, Stage>();
  const steps: BuiltImage['steps'] = [];
  let stage: Stage | undefined;
  let count = 0;
  // The steps see the stage's ENV and no more, as in a container (not the npm_config_* of an
  // `npm test` around this), under the Node that runs this one; HOME keeps npm's cache at hand.
  const baseEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/root' };
  const inStage = (current: Stage, imagePath: string) => join(current.dir, relative('/app', imagePath.startsWith('/') ? imagePath : join(current.workdir, imagePath)));

  for (const { keyword, args } of dockerfileInstructions()) {
    if (keyword === 'FROM') {
      const [base = '', as, name] = args.split(/\s+/);
      const dir = join(into, `stage-${count++}`);
      const parent = stages.get(base);
      // A stage built on another starts from a copy of it (hard links: quick, and nothing edits a file in place).
      if (parent) await run('cp', ['-al', parent.dir, dir]);
      else mkdirSync(dir, { recursive: true });
      stage = { dir, workdir: parent?.workdir ?? '/', env: { ...parent?.env } };
      if (as?.toUpperCase() === 'AS' && name) stages.set(name, stage);
      continue;
    }
    if (!stage) throw new Error(`${keyword} before FROM`);
    switch (keyword) {
      case 'WORKDIR':
        // Every stage works in /app; the stage's folder stands for it.
        if (args !== '/app') throw new Error(`WORKDIR ${args}: only /app is understood`);
        stage.workdir = args;
        break;
      case 'ENV':
        for (const [, name = '', value = ''] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[name] = value;
        break;
      case 'COPY':
        await copy(stage, args, stages, inStage);
        break;
      case 'RUN': {
        const started = Date.now();
        await run('sh', ['-c', args], { cwd: inStage(stage, stage.workdir), env: { ...baseEnv, ...stage.env }, maxBuffer: 64 * 1024 * 1024 });
        steps.push({ command: args, ms: Date.now() - started });
        break;
      }
      case 'USER':
      case 'CMD':
        // Who runs the programs and which one: the compose file says the command, and the test runs it.
        break;
      default:
        throw new Error(`Dockerfile instruction ${keyword} is not understood by harness/dockerfile.ts`);
    }
  }
  if (!stage) throw new Error('the Dockerfile has no stage');
  return { dir: stage.dir, env: stage.env, steps };
}

/** The build context's exclusions: the paths in .dockerignore (this project's are plain paths, no patterns). */
const IGNORED = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
if (IGNORED.some((line) => /[*?![]/.test(line))) throw new Error('.dockerignore has a pattern: harness/dockerfile.ts understands plain paths only');
const ignored = (path: string) => IGNORED.some((line) => path === line || path.startsWith(`${line}/`));

async function copy(stage: Stage, args: string, stages: Map<string, Stage>, inStage: (stage: Stage, path: string) => string): Promise<void> {
  const words = args.split(/\s+/);
  const from = words[0]?.startsWith('--from=') ? stages.get(words.shift()?.slice('--from='.length) ?? '') : undefined;
  if (words.some((word) => word.startsWith('--'))) throw new Error(`COPY ${args}: only --from is understood`);
  const destination = words.pop() ?? '';
  const target = inStage(stage, destination);
  const intoFolder = destination.endsWith('/') || words.length > 1;
  for (const source of words) {
    if (!from && ignored(source)) throw new Error(`COPY ${source}: .dockerignore leaves it out of the build context`);
    const path = from ? inStage(from, source) : join(root, source);
    const to = intoFolder ? join(target, source.split('/').pop() ?? '') : target;
    mkdirSync(dirname(to), { recursive: true });
    // A folder from a stage (node_modules) is linked, not copied: seconds less. Its contents go
    // into the destination, as COPY does.
    if (from && statSync(path).isDirectory()) {
      mkdirSync(to, { recursive: true });
      await run('cp', ['-al', `${path}/.`, to]);
    } else cpSync(path, to, { recursive: true, filter: (file) => from !== undefined || !ignored(relative(root, file)) });
  }
}
