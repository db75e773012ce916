import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { paymentWorkflowId } from '../workflows/names.ts';
import { openEventStream } from './helpers/event-stream.ts';
import { request } from '../harness/http.ts';
import { finalOrder } from '../harness/orders.ts';
import { useRunningShop } from './helpers/running-shop.ts';
import { serveGatewayFor } from '../harness/stack.ts';

// Debian's Chromium, driven headless; the flags keep it off the network this machine does not have.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = new URL('../test-results/storefront.png', import.meta.url).pathname;

const shop = useRunningShop();
let browser: Browser;
/** What Chromium refused under the Content-Security-Policy, on any page of any test. */
const violations: string[] = [];
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});
afterAll(() => browser.close());

/** A new page whose Content-Security-Policy violations (Chromium reports them on the console) are kept. */
async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  return page;
}
afterAll(() => {
  expect(violations).toEqual([]);
});

/** A new page on the storefront, signed in as the user, with the live stream connected. */
async function signedIn(userId: string, gatewayUrl = shop.stack.gatewayUrl): Promise<Page> {
  const page = await newPage();
  await page.goto(gatewayUrl);
  await page.fill('#sign-in-form input[name=userId]', userId);
  await page.click('#sign-in-form button');
  await page.waitForSelector('#shop:not([hidden])');
  await page.waitForSelector('#live:text("(live)")');
  return page;
}

test('in the storefront a shopper signs in, opens an account, deposits, orders, and sees it turn PAID without a reload', async () => {
  const page = await signedIn('shopper');

  await page.click('#open-account');
  await page.waitForSelector('#account:text("Balance: $0.00")');
  await page.fill('#deposit-form input[name=amount]', '1000');
  await page.click('#deposit-form button');
  await page.waitForSelector('#account:text("Balance: $10.00")');

  let navigations = 0;
  page.on('framenavigated', () => navigations++);
  await page.fill('#order-form input[name=amount]', '250');
  await page.fill('#order-form input[name=description]', 'Green tea');
  await page.click('#order-form button');
  const status = page.locator('#orders tr').first().locator('.status');
  await status.filter({ hasNotText: 'NEW' }).waitFor({ timeout: 30_000 });
  expect(await status.textContent()).toBe('PAID');
  await page.waitForSelector('#account:text("Balance: $7.50")');
  expect(navigations).toBe(0);

  const link = await page.locator('#orders tr').first().locator('a').getAttribute('href');
  const orderId = (await page.locator('#orders tr').first().getAttribute('id'))?.replace('order-', '');
  expect(link).toBe(`http://localhost:8233/namespaces/default/workflows/payment-${orderId}`);

  mkdirSync(new URL('../test-results/', import.meta.url), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

test("an order's link into the Temporal UI names the gateway's namespace and the payment's workflow id", async () => {
  const gateway = await serveGatewayFor(shop.stack, {
    DEV_SIGN_IN: 'true',
    TEMPORAL_UI_URL: 'http://temporal-ui.test',
    TEMPORAL_NAMESPACE: 'shop-test',
  });
  try {
    const page = await signedIn('namespaced-shopper', gateway.url);
    await page.fill('#order-form input[name=amount]', '1');
    await page.fill('#order-form input[name=description]', 'Link');
    await page.click('#order-form button');
    const row = page.locator('#orders tr').first();
    await row.waitFor();
    const orderId = (await row.getAttribute('id'))?.replace('order-', '') ?? '';
    expect(await row.locator('a').getAttribute('href')).toBe(`http://temporal-ui.test/namespaces/shop-test/workflows/${paymentWorkflowId(orderId)}`);
  } finally {
    await gateway.close();
  }
});

test('an unaffordable order shows CANCELLED with its reason', async () => {
  const page = await signedIn('window-shopper');
  await page.click('#open-account');
  // Else the debit may run before the account exists, and the order is cancelled for no account.
  await page.waitForSelector('#account:text("Balance: $0.00")');
  await page.fill('#order-form input[name=amount]', '99');
  await page.click('#order-form button');
  const status = page.locator('#orders tr').first().locator('.status');
  await status.filter({ hasNotText: 'NEW' }).waitFor({ timeout: 30_000 });
  expect(await status.textContent()).toBe('CANCELLED (insufficient funds)');
});

test('a tab over the cap on open streams says so, and goes live once another tab closes', async () => {
  const token = await shop.stack.tokenFor('many-tabs');
  const others = await Promise.all(Array.from({ length: 5 }, () => openEventStream(`${shop.stack.gatewayUrl}/api/orders/events`, token)));
  try {
    expect(others.map((stream) => stream.status)).toEqual([200, 200, 200, 200, 200]);
    const page = await newPage();
    await page.goto(shop.stack.gatewayUrl);
    await page.fill('#sign-in-form input[name=userId]', 'many-tabs');
    await page.click('#sign-in-form button');
    await page.waitForSelector('#live:text("(too many open tabs; waiting…)")');
    others.pop()?.close();
    // Retry-After is 5 s.
    await page.waitForSelector('#live:text("(live)")', { timeout: 10_000 });
  } finally {
    for (const stream of others) stream.close();
  }
});

test('an order whose answer is lost (504) is retried with the same Idempotency-Key and made once', async () => {
  const page = await signedIn('unlucky');
  await page.click('#open-account');
  await page.waitForSelector('#account:text("Balance: $0.00")');
  const keys: string[] = [];
  await page.route('**/api/orders', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push((await route.request().headerValue('idempotency-key')) ?? '');
    // The first attempt reaches the shop, but its answer is lost as in a gateway timeout.
    const answer = await route.fetch();
    if (keys.length > 1) return route.fulfill({ response: answer });
    return route.fulfill({ status: 504, contentType: 'application/problem+json', body: JSON.stringify({ type: '/problems/upstream-timeout', title: 'Gateway Timeout', status: 504, detail: 'retry with the same Idempotency-Key' }) });
  });
  await page.fill('#order-form input[name=amount]', '10');
  await page.fill('#order-form input[name=description]', 'one of these');
  const accepted = page.waitForResponse((response) => response.url().endsWith('/api/orders') && response.request().method() === 'POST' && response.status() === 202);
  await page.click('#order-form button');
  expect((await accepted).headers()['idempotent-replayed']).toBe('true');
  await page.unroute('**/api/orders');
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  const orders = await shop.stack.ordersOrm.em.fork().execute('select id from orders where user_id = ?', ['unlucky']);
  expect(orders).toHaveLength(1);
  await page.locator('#orders tr').first().waitFor();
  expect(await page.locator('#orders tr').count()).toBe(1);
  await page.close();
});

test('an order still unanswered after every retry, sent again unchanged, reuses its Idempotency-Key and is made once', async () => {
  const page = await signedIn('stubborn');
  await page.click('#open-account');
  await page.waitForSelector('#account:text("Balance: $0.00")');
  const keys: string[] = [];
  let answering = false;
  await page.route('**/api/orders', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push((await route.request().headerValue('idempotency-key')) ?? '');
    // The first attempt reaches the shop; until the shopper tries again, no answer comes back.
    const answer = keys.length === 1 || answering ? await route.fetch() : undefined;
    if (answering && answer) return route.fulfill({ response: answer });
    return route.fulfill({ status: 504, contentType: 'application/problem+json', body: JSON.stringify({ type: '/problems/upstream-timeout', title: 'Gateway Timeout', status: 504, detail: 'retry with the same Idempotency-Key' }) });
  });
  await page.fill('#order-form input[name=amount]', '10');
  await page.fill('#order-form input[name=description]', 'only once');
  await page.click('#order-form button');
  await page.waitForSelector('#message:text("retry with the same Idempotency-Key")');
  answering = true;
  const accepted = page.waitForResponse((response) => response.url().endsWith('/api/orders') && response.request().method() === 'POST' && response.status() === 202);
  await page.click('#order-form button');
  expect((await accepted).headers()['idempotent-replayed']).toBe('true');
  await page.unroute('**/api/orders');
  expect(new Set(keys).size).toBe(1);
  const orders = await shop.stack.ordersOrm.em.fork().execute('select id from orders where user_id = ?', ['stubborn']);
  expect(orders).toHaveLength(1);
  await page.close();
});

test('after its live stream drops, the storefront reconnects and shows the change it missed', async () => {
  const client = await shop.stack.fundedClientFor('returning', 1_000);
  const page = await newPage();
  let streams = 0;
  let release: () => void = () => undefined;
  const away = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/orders/events', async (route) => {
    streams++;
    // The first stream ends at once; the reconnect waits until a change was made meanwhile.
    if (streams === 1) return route.fulfill({ status: 200, contentType: 'text/event-stream', body: ': connected\n\n' });
    if (streams === 2) await away;
    return route.continue();
  });
  await page.goto(shop.stack.gatewayUrl);
  await page.fill('#sign-in-form input[name=userId]', 'returning');
  await page.click('#sign-in-form button');
  await page.waitForSelector('#live:text("(reconnecting…)")');

  const placed = await client('POST', '/api/orders', { body: { amount: 100, description: 'while away' } });
  expect((await finalOrder(client, placed.body.id)).body.status).toBe('PAID');
  release();
  await page.waitForSelector(`#order-${placed.body.id} .status:text("PAID")`);
  await page.close();
});

test('the storefront page and its files are served; bad sign-ins are refused', async () => {
  expect((await request(shop.stack.gatewayUrl, 'GET', '/')).body).toContain('<title>Shop</title>');
  expect((await request(shop.stack.gatewayUrl, 'GET', '/storefront/storefront.js')).status).toBe(200);
  expect((await request(shop.stack.gatewayUrl, 'GET', '/storefront/nothing.js')).status).toBe(404);
  const bad = await request(shop.stack.gatewayUrl, 'POST', '/storefront/sign-in', { body: { userId: 'has space' } });
  expect(bad.status).toBe(422);
});

test('the storefront and the API docs load under a strict Content-Security-Policy, with nothing refused', async () => {
  for (const path of ['/', '/docs', '/api/orders']) {
    const policy = (await request(shop.stack.gatewayUrl, 'GET', path)).headers.get('content-security-policy') ?? '';
    expect([path, policy]).toEqual([path, expect.stringContaining("default-src 'none'")]);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe');
  }
  const docs = await request(shop.stack.gatewayUrl, 'GET', '/docs');
  expect(docs.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son\w+=/i);
  expect(docs.headers.get('x-content-type-options')).toBe('nosniff');

  const page = await newPage();
  await page.goto(`${shop.stack.gatewayUrl}/docs`);
  await page.waitForSelector('.swagger-ui .info .title:text("Shop payments API")');
  // Swagger UI breaks paths with zero-width spaces in its text: the attribute holds them whole.
  await page.waitForSelector('.swagger-ui .opblock-summary-path[data-path="/api/orders/events"]');
  await page.screenshot({ path: SCREENSHOT.replace('storefront.png', 'docs.png') });
  expect(violations).toEqual([]);
});
