// What `npm run mutation` mutates, in groups that each run only the test files that check them:
// a mutant runs every test that covers it (Jest cannot stop at the first failure here), and the
// gateway's code is covered by nearly every test, so one group of everything would take hours.
// The test files are the quick ones that check each group (no test that starts the whole system,
// none that runs the whole saga per file): a slow file costs its full time for every mutant it covers.
// A line range names one function's lines; the rest of such a file is not money-critical.
// workflows/ is never mutated: Temporal bundles it into its sandbox, out of Stryker's reach.
export const MUTATION_GROUPS: Record<string, { mutate: string[]; tests: string[] }> = {
  payments: {
    mutate: ['services/payments/inbox/debit.ts', 'services/payments/accounts/accounts.ts:34-57'],
    tests: ['money-guarantees', 'payments-constraints', 'mutation-payments'],
  },
  // The gateway's code runs in nearly every test that goes through it: each file here is one that
  // checks this group's own guarantee, so that a mutant does not pay for the others'.
  auth: {
    mutate: ['services/gateway/authenticate.ts', 'services/gateway/storefront.routes.ts:41-45'],
    tests: ['auth', 'mutation-gateway'],
  },
  forward: {
    mutate: ['services/gateway/forward.ts'],
    tests: ['request-target', 'forward-timeout', 'mutation-gateway'],
  },
  idempotency: {
    mutate: ['lib/idempotency/idempotent.ts'],
    tests: ['idempotency', 'mutation-gateway'],
  },
  orders: {
    mutate: ['services/orders/orders/orders.ts:26-66', 'services/orders/orders/complete-order.ts', 'services/orders/orders/order-events.ts'],
    tests: ['money-guarantees', 'order-fan-out', 'mutation-orders'],
  },
  // Apart from the orders group: its test file starts a Temporal dev server, which every run pays for.
  relay: {
    mutate: ['services/orders/outbox/outbox-relay.ts', 'services/orders/outbox/start-payment.ts'],
    tests: ['mutation-relay'],
  },
};

/** The group this process works on: MUTATION_GROUP, set by scripts/mutation.ts. */
export function mutationGroup(): { name: string; mutate: string[]; tests: string[] } {
  const name = process.env.MUTATION_GROUP ?? '';
  const group = Object.hasOwn(MUTATION_GROUPS, name) ? MUTATION_GROUPS[name] : undefined;
  if (!group) throw new Error(`MUTATION_GROUP must be one of ${Object.keys(MUTATION_GROUPS).join(', ')}; run \`npm run mutation\``);
  return { name, ...group };
}
