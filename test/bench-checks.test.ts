import { requireAllSucceeded, requireSaneFigures } from '../bench/checks.ts';

// The shape of autocannon's result, as far as the checks read it.
const load = (total: number, failures: { non2xx?: number; errors?: number; timeouts?: number } = {}) => ({
  requests: { total },
  non2xx: failures.non2xx ?? 0,
  errors: failures.errors ?? 0,
  timeouts: failures.timeouts ?? 0,
});

test('a measured phase with any non-2xx answer, error or timeout fails the bench, naming the phase', () => {
  expect(() => requireAllSucceeded('deposits', load(500))).not.toThrow();
  expect(() => requireAllSucceeded('deposits', load(500, { non2xx: 500 }))).toThrow(/deposits: 500 of 500 requests failed \(500 non-2xx/);
  expect(() => requireAllSucceeded('deposits', load(500, { errors: 1 }))).toThrow(/1 of 500/);
  expect(() => requireAllSucceeded('deposits', load(500, { timeouts: 2 }))).toThrow(/2 of 500/);
});

test('a phase that sent nothing fails the bench too', () => {
  expect(() => requireAllSucceeded('gateway cost', load(0))).toThrow(/gateway cost: 0 of 0/);
});

test('no figure is written unless every number in the results is finite and not negative', () => {
  expect(() => requireSaneFigures({ runs: [{ p50: 12 }], ratio: 0.5, date: 'today' })).not.toThrow();
  expect(() => requireSaneFigures({ runs: [{ p50: 12 }, { p50: Number.NaN }] })).toThrow('results.runs.1.p50 is NaN');
  expect(() => requireSaneFigures({ gateway: { ratio: Number.POSITIVE_INFINITY } })).toThrow('results.gateway.ratio is Infinity');
  expect(() => requireSaneFigures({ processes: [{ cpuPercentDuringBurst: 0 }] })).not.toThrow();
  expect(() => requireSaneFigures({ processes: [{ cpuPercentDuringBurst: 40 }, { cpuPercentDuringBurst: -3 }] })).toThrow(
    'results.processes.1.cpuPercentDuringBurst is -3: no figure of the bench can be negative',
  );
});
