import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// What ships and what does not: the Docker image holds the code its programs run and nothing
// more, and no production folder leans on the test harness.

const root = fileURLToPath(new URL('../', import.meta.url));
const PRODUCTION_FOLDERS = ['services', 'lib', 'workers', 'workflows', 'activities', 'supervisor'];
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

function filesBelow(path: string): string[] {
  const absolute = join(root, path);
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((name) => statSync(join(root, name)).isFile());
}

/**
 * The specifiers a TypeScript file imports (statically or dynamically), re-exports from, or loads
 * by its URL at run time (a worker's workflows).
 */
function importsOf(file: string, options: { runtimeOnly?: boolean } = {}): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  const pattern = /^\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|^\s*import\s*'([^']+)'|new URL\(\s*'([^']+\.ts)',\s*import\.meta\.url/gm;
  // `import type` is erased when Node strips the types: nothing is loaded for it at run time.
  const matches = [...source.matchAll(pattern)].filter((match) => !(options.runtimeOnly && /^\s*(?:import|export)\s+type\b/.test(match[0])));
  return matches.map((match) => match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
}

/** A relative import as a path from the repository's root; a package import as the package's name. */
function resolveImport(from: string, specifier: string): { file: string } | { package: string } | undefined {
  if (specifier.startsWith('node:')) return undefined;
  if (specifier.startsWith('.')) return { file: relative(root, fileURLToPath(new URL(specifier, `file://${join(root, from)}`))) };
  const [scope = '', name = ''] = specifier.split('/');
  return { package: scope.startsWith('@') ? `${scope}/${name}` : scope };
}

/** The paths the Dockerfile copies from the repository into the final image. */
function copiedIntoImage(): string[] {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  return [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => (match[1] ?? '').split(' ')).filter((path) => !path.startsWith('package'));
}

/** The entry points the compose file runs from the project's image, and the operator's scripts the image carries. */
function imageEntryPoints(): string[] {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { build?: string; image?: string; command?: string[] }>;
  };
  // The image one service builds (build: .), which the others run by its name.
  const image = Object.values(compose.services).find((service) => service.build === '.')?.image;
  return Object.values(compose.services)
    .flatMap((service) => (service.image === image && service.command?.[0] === 'node' && service.command[1] ? [service.command[1]] : []))
    .concat(copiedIntoImage().filter((path) => path.startsWith('scripts/')));
}

test('the image holds exactly the code its programs run: every file it copies is imported from an entry point', () => {
  const shipped = copiedIntoImage().flatMap(filesBelow).filter((file) => file.endsWith('.ts'));
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const specifier of importsOf(file)) {
      const target = resolveImport(file, specifier);
      if (target && 'file' in target) visit(target.file);
    }
  };
  for (const entry of imageEntryPoints()) visit(entry);
  expect(shipped.filter((file) => !reached.has(file))).toEqual([]);
  expect([...reached].filter((file) => !shipped.includes(file))).toEqual([]);
});

test('the image imports only production dependencies', () => {
  const shipped = copiedIntoImage().flatMap(filesBelow).filter((file) => file.endsWith('.ts'));
  const notShipped = shipped.flatMap((file) =>
    importsOf(file, { runtimeOnly: true }).flatMap((specifier) => {
      const target = resolveImport(file, specifier);
      return target && 'package' in target && !(target.package in packageJson.dependencies) ? [`${file}: ${target.package}`] : [];
    }),
  );
  expect(notShipped).toEqual([]);
});

test('no production folder imports from the tests or the harness', () => {
  const offending = PRODUCTION_FOLDERS.flatMap(filesBelow)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      importsOf(file).flatMap((specifier) => {
        const target = resolveImport(file, specifier);
        return target && 'file' in target && /^(test|harness|bench|scripts)\//.test(target.file) ? [`${file} -> ${target.file}`] : [];
      }),
    );
  expect(offending).toEqual([]);
});
