import { paymentStatusQuery } from '../workflows/payment.workflow.ts';
import { paymentWorkflowId, SEARCH_ATTRIBUTES } from '../workflows/names.ts';
import { readBooks } from './helpers/books.ts';
import { finalOrder } from '../harness/orders.ts';
import { useRunningShop } from './helpers/running-shop.ts';

const shop = useRunningShop();


describe('an order through the gateway', () => {
  test('a funded account pays: PAID, the balance drops by exactly the amount, and the ledger agrees', async () => {
    const lena = await shop.stack.fundedClientFor('lena', 1_000);
    const placed = await lena('POST', '/api/orders', { body: { amount: 300, description: 'Tea, 3 boxes' } });
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ amount: 300, currency: 'USD', description: 'Tea, 3 boxes', status: 'NEW', failureReason: null });
    expect(placed.headers.get('location')).toBe(`/api/orders/${placed.body.id}`);

    const paid = await finalOrder(lena, placed.body.id);
    expect(paid.body).toMatchObject({ id: placed.body.id, status: 'PAID', failureReason: null });
    expect(Date.parse(paid.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(paid.body.createdAt));
    expect(await readBooks(shop.stack.paymentsOrm, 'lena')).toEqual({ balance: 700, ledgerTotal: 700, ledgerEntries: 2 });
  });

  test('an unaffordable order is CANCELLED with INSUFFICIENT_FUNDS and changes no balance', async () => {
    const mia = await shop.stack.fundedClientFor('mia', 100);
    const placed = await mia('POST', '/api/orders', { body: { amount: 101, description: 'Just too much' } });
    const cancelled = await finalOrder(mia, placed.body.id);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', failureReason: 'INSUFFICIENT_FUNDS' });
    expect(await readBooks(shop.stack.paymentsOrm, 'mia')).toEqual({ balance: 100, ledgerTotal: 100, ledgerEntries: 1 });
  });

  test('a user without an account gets CANCELLED with NO_ACCOUNT', async () => {
    const nils = await shop.stack.clientFor('nils');
    const placed = await nils('POST', '/api/orders', { body: { amount: 5, description: 'Anything' } });
    const cancelled = await finalOrder(nils, placed.body.id);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', failureReason: 'NO_ACCOUNT' });
    expect((await readBooks(shop.stack.paymentsOrm, 'nils')).balance).toBeUndefined();
  });

  test("someone else's order answers 404, and so does a malformed id", async () => {
    const olga = await shop.stack.fundedClientFor('olga', 50);
    const placed = await olga('POST', '/api/orders', { body: { amount: 10, description: 'Mine' } });
    const peter = await shop.stack.clientFor('peter');
    expect((await peter('GET', `/api/orders/${placed.body.id}`)).status).toBe(404);
    expect((await peter('GET', '/api/orders')).body).toEqual({ items: [], nextCursor: null });
    const malformed = await peter('GET', '/api/orders/not-a-uuid');
    expect(malformed.status).toBe(404);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
  });

  test('the payment explains itself in Temporal: search attributes, status query, list filter', async () => {
    const quinn = await shop.stack.fundedClientFor('quinn', 500);
    const placed = await quinn('POST', '/api/orders', { body: { amount: 200, description: 'Visible' } });
    await finalOrder(quinn, placed.body.id);

    const handle = shop.temporal.client.workflow.getHandle(paymentWorkflowId(placed.body.id));
    expect(await handle.result()).toBe('PAID');
    expect(await handle.query(paymentStatusQuery)).toEqual({ stage: 'DONE', outcome: 'PAID' });
    const { typedSearchAttributes, memo } = await handle.describe();
    expect(memo).toEqual({ requestId: placed.headers.get('x-request-id') });
    expect(typedSearchAttributes.get(SEARCH_ATTRIBUTES.orderId)).toBe(placed.body.id);
    expect(typedSearchAttributes.get(SEARCH_ATTRIBUTES.userId)).toBe('quinn');
    expect(typedSearchAttributes.get(SEARCH_ATTRIBUTES.outcome)).toBe('PAID');
    // The order and the user came with the start; the workflow itself upserts only the outcome
    // (and the SDK its TemporalChangeVersion, for the patch).
    const { events } = await handle.fetchHistory();
    const upserted = events?.flatMap((event) => Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(upserted?.sort()).toEqual([SEARCH_ATTRIBUTES.outcome.name, 'TemporalChangeVersion']);

    // Visibility is eventually consistent: look until it shows (or give up after 10 s).
    const listed = async () => {
      const ids: string[] = [];
      for await (const workflow of shop.temporal.client.workflow.list({ query: `UserId = "quinn" AND PaymentOutcome = "PAID"` })) {
        ids.push(workflow.workflowId);
      }
      return ids;
    };
    let found = await listed();
    for (let tries = 0; found.length === 0 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      found = await listed();
    }
    expect(found).toEqual([paymentWorkflowId(placed.body.id)]);
  });
});

describe('orders: list, pages, idempotent create, bad input', () => {
  test('lists newest first, a page at a time, with a cursor', async () => {
    const rosa = await shop.stack.fundedClientFor('rosa', 0);
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push((await rosa('POST', '/api/orders', { body: { amount: 1 + index, description: `order ${index}` } })).body.id);
    }
    const first = await rosa('GET', '/api/orders?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((order: { id: string }) => order.id)).toEqual([ids[4], ids[3]]);
    const second = await rosa('GET', `/api/orders?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((order: { id: string }) => order.id)).toEqual([ids[2], ids[1]]);
    const third = await rosa('GET', `/api/orders?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    expect((await rosa('GET', '/api/orders?limit=0')).status).toBe(400);
    expect((await rosa('GET', '/api/orders?cursor=garbage')).status).toBe(400);
  });

  test('a retried create with the same Idempotency-Key makes one order', async () => {
    const sam = await shop.stack.fundedClientFor('sam', 1_000);
    const send = () =>
      sam('POST', '/api/orders', { body: { amount: 250, description: 'Once' }, headers: { 'idempotency-key': 'order-1' } });
    const first = await send();
    const retry = await send();
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.body.id).toBe(first.body.id);
    expect((await sam('GET', '/api/orders')).body.items).toHaveLength(1);
    expect((await finalOrder(sam, first.body.id)).body.status).toBe('PAID');
    expect((await readBooks(shop.stack.paymentsOrm, 'sam')).balance).toBe(750);

    const other = await sam('POST', '/api/orders', { body: { amount: 251, description: 'Once' }, headers: { 'idempotency-key': 'order-1' } });
    expect(other.status).toBe(422);
  });

  test.each([
    ['no amount', { description: 'x' }],
    ['a zero amount', { amount: 0, description: 'x' }],
    ['a fractional amount', { amount: 2.5, description: 'x' }],
    ['no description', { amount: 5 }],
    ['an empty description', { amount: 5, description: '   ' }],
    ['a description too long', { amount: 5, description: 'x'.repeat(501) }],
    ['a numeric description', { amount: 5, description: 7 }],
  ])('an order with %s answers 422 and creates nothing', async (_name, body) => {
    const tara = await shop.stack.clientFor('tara');
    const answer = await tara('POST', '/api/orders', { body });
    expect(answer.status).toBe(422);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect((await tara('GET', '/api/orders')).body.items).toEqual([]);
  });
});
