import { readSupervisorConfig } from '../supervisor/config.ts';
import { childEnvironment, planFor, stagesOf } from '../supervisor/plan.ts';
import { PORT_SETTINGS, PROGRAMS } from '../supervisor/programs.ts';

// The registry of programs is what `npm start` runs: every program in it, each child told every
// port explicitly, so none works only because its own default happens to match the supervisor's.

/** Ports unlike any default, so that a child falling back on a default of its own would show. */
const ports = Object.fromEntries(PORT_SETTINGS.map((setting, index) => [setting, 20_000 + index]));
const config = readSupervisorConfig({
  DATA_DIR: '/nonexistent/shop-data',
  JWT_SECRET: 'j'.repeat(40),
  INTERNAL_TOKEN: 'i'.repeat(40),
  ...Object.fromEntries(Object.entries(ports).map(([setting, port]) => [setting, String(port)])),
});
const plan = planFor(config);
const specs = stagesOf(config, plan, childEnvironment(config, plan), { temporalCli: '/usr/bin/temporal' }).flat();

test('npm start runs every program of the registry, once each, in the registry’s order', () => {
  expect(specs.map((spec) => spec.name)).toEqual(PROGRAMS.map((program) => program.name));
});

test('every child is given every port of every program', () => {
  for (const spec of specs) {
    const given = Object.fromEntries(PORT_SETTINGS.map((setting) => [setting, Number(spec.env[setting])]));
    expect([spec.name, given]).toEqual([spec.name, ports]);
  }
});

test('each program reads, with its own configuration reader, the ports the supervisor chose for it', () => {
  for (const program of PROGRAMS) {
    const spec = specs.find((candidate) => candidate.name === program.name);
    if (!('readConfig' in program) || !spec) continue;
    const read = program.readConfig(spec.env) as Record<string, unknown>;
    for (const setting of Object.keys(program.ports).filter((name) => name in read)) {
      expect([program.name, setting, read[setting]]).toEqual([program.name, setting, ports[setting]]);
    }
    if ('metricsPort' in program) expect([program.name, read['METRICS_ADDRESS']]).toEqual([program.name, `127.0.0.1:${ports[program.metricsPort] ?? 0}`]);
  }
  const gateway = specs.find((spec) => spec.name === 'gateway');
  expect(gateway?.env['PAYMENTS_URL']).toBe(`http://127.0.0.1:${ports['PAYMENTS_PORT'] ?? 0}`);
  expect(gateway?.env['ORDERS_URL']).toBe(`http://127.0.0.1:${ports['ORDERS_PORT'] ?? 0}`);
});
