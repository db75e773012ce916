// The dynamic config the dev server runs with, in one place: the supervisor's dev server (so `npm start`
// and the bench) and the tests' dev server (harness/temporal.ts) run the same Temporal. Measured on
// bare Temporal (README, "What was tried for the Temporal legs").

/** Dynamic config values, as `temporal server start-dev --dynamic-config-value KEY=JSON_VALUE` takes them. */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  // The history service reads its transfer queue (the tasks that hand a workflow or activity task to
  // matching) at most this often per shard; the dev server has one shard. At the default, 20, a task
  // written just after a read waits up to 50 ms for the next one, and a payment passes that wait at
  // each of its five dispatches: most of the 250 ms bare Temporal took one at a time.
  'history.transferProcessorMaxPollRPS': 1000,
} as const;

/** The values above as command-line arguments of `temporal server start-dev`. */
export const DEV_SERVER_DYNAMIC_CONFIG_ARGS = Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => [
  '--dynamic-config-value',
  `${key}=${JSON.stringify(value)}`,
]);
