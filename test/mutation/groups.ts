import { readFileSync } from 'node:fs';
// What `npm run mutation` mutates, in groups that each run only the test files that check them:
// a mutant runs every test that covers it (Jest cannot stop at the first failure here), and the
// gateway's code is covered by nearly every test, so one group of everything would take hours.
// The test files are the quick ones that check each group (no test that starts the whole system,
// none that runs the whole saga per file): a slow file costs its full time for every mutant it covers.
// Where only one function of a file is money-critical, its lines are found by name (linesOf), so
// an edit elsewhere in the file cannot shift the range onto other code.
// workflows/ is never mutated: Temporal bundles it into its sandbox, out of Stryker's reach.
// `mutate` is a function: only Stryker's own process calls it, on the project's files; its test
// processes load this file too (for `tests`), in a sandbox whose files are instrumented, where
// linesOf would not find the function's opening line as written.
export const MUTATION_GROUPS: Record<string, { mutate: () => string[]; tests: string[] }> = {
  payments: {
    mutate: () => ['services/payments/inbox/debit.ts', linesOf('services/payments/accounts/accounts.ts', 'export async function deposit(')],
    tests: ['money-guarantees', 'payments-constraints', 'mutation-payments'],
  },
  // The gateway's code runs in nearly every test that goes through it: each file here is one that
  // checks this group's own guarantee, so that a mutant does not pay for the others'.
  auth: {
    mutate: () => ['services/gateway/authenticate.ts', linesOf('services/gateway/storefront.routes.ts', "router.post('/storefront/sign-in'")],
    tests: ['auth', 'mutation-gateway'],
  },
  forward: {
    mutate: () => ['services/gateway/forward.ts', 'services/gateway/upstream.ts'],
    tests: ['request-target', 'forward-timeout', 'mutation-gateway', 'upstream-guard', 'gateway-instances'],
  },
  idempotency: {
    mutate: () => ['lib/idempotency/idempotent.ts'],
    tests: ['idempotency', 'mutation-gateway'],
  },
  orders: {
    mutate: () => [linesOf('services/orders/orders/orders.repository.ts', 'export async function placeOrder('), 'services/orders/orders/complete-order.ts', 'services/orders/orders/order-events.ts'],
    tests: ['money-guarantees', 'order-fan-out', 'mutation-orders'],
  },
  // Apart from the orders group: its test file starts a Temporal dev server, which every run pays for.
  relay: {
    mutate: () => ['services/orders/outbox/outbox-relay.ts', 'services/orders/outbox/start-payment.ts'],
    tests: ['mutation-relay'],
  },
};

/**
 * `file:first-last`, Stryker's form for a range of lines: from the line that starts with `opening`
 * (after indentation) to the first line after it that is only a closing `}` or `});` at the same indentation.
 */
function linesOf(file: string, opening: string): string {
  const lines = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').split('\n');
  const first = lines.findIndex((line) => line.trimStart().startsWith(opening));
  if (first < 0) throw new Error(`${file} has no line starting with ${opening}`);
  const indentOf = (line: string) => line.length - line.trimStart().length;
  const indent = indentOf(lines[first] ?? '');
  const last = lines.findIndex((line, index) => index > first && /^\s*\}\)?;?\s*$/.test(line) && indentOf(line) === indent);
  if (last < 0) throw new Error(`${file}: the block from line ${first + 1} does not close`);
  return `${file}:${first + 1}-${last + 1}`;
}

/** The group this process works on: MUTATION_GROUP, set by test/mutation/run.ts. */
export function mutationGroup(): { name: string; mutate: () => string[]; tests: string[] } {
  const name = process.env.MUTATION_GROUP ?? '';
  const group = Object.hasOwn(MUTATION_GROUPS, name) ? MUTATION_GROUPS[name] : undefined;
  if (!group) throw new Error(`MUTATION_GROUP must be one of ${Object.keys(MUTATION_GROUPS).join(', ')}; run \`npm run mutation\``);
  return { name, ...group };
}
