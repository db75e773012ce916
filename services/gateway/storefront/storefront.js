// The storefront: plain DOM and fetch against the public API, with the caller's token.
const config = await (await fetch('/storefront/config.json')).json();
const $ = (selector) => document.querySelector(selector);
let token = sessionStorage.getItem('token');
let stream;
let lastEventId;

const money = (cents, currency = 'USD') => new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100);
const say = (text) => ($('#message').textContent = text);

const RETRIES = 3;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Idempotency-Key of each change whose outcome is still unknown after all its attempts, by
 * what it sends: the shopper sending the same again (the same form, unchanged) is the same action
 * retried, so it gets the first one's answer instead of making a second order or deposit.
 */
const unsettled = new Map();

/**
 * One user action against the API. A change carries one Idempotency-Key for all its attempts: a
 * 504 (the outcome is unknown), a 503, a 409 (the first attempt still runs) or a lost connection
 * is retried with the same key, so the action happens once however many attempts it takes.
 */
async function api(method, path, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const idempotent = method === 'POST' && path !== '/api/account';
  const action = `${method} ${path} ${JSON.stringify(body)}`;
  if (idempotent) headers['idempotency-key'] = unsettled.get(action) ?? crypto.randomUUID();
  for (let attempt = 0; ; attempt++) {
    const answer = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).catch(() => undefined);
    const retry = !answer || answer.status === 503 || answer.status === 504 || (idempotent && answer.status === 409);
    if (retry && attempt < RETRIES && (idempotent || method === 'GET')) {
      await sleep(500 * 2 ** attempt);
      continue;
    }
    if (idempotent && retry) unsettled.set(action, headers['idempotency-key']);
    else unsettled.delete(action);
    if (!answer) throw new Error('The shop cannot be reached; try again.');
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(data.detail ?? `${answer.status} ${answer.statusText}`);
    return data;
  }
}

/** The order's payment in the Temporal UI: namespace and workflow id prefix come from the gateway's config. */
const workflowUrl = (orderId) =>
  `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(config.paymentWorkflowIdPrefix + orderId)}`;

function showOrder(order) {
  const id = `order-${order.id}`;
  let row = document.getElementById(id);
  if (!row) {
    row = document.createElement('tr');
    row.id = id;
    $('#orders').prepend(row);
  }
  const reason = order.failureReason ? ` (${order.failureReason.replaceAll('_', ' ').toLowerCase()})` : '';
  row.innerHTML = `<td>${new Date(order.createdAt).toLocaleTimeString()}</td><td></td><td>${money(order.amount, order.currency)}</td>
    <td class="status status-${order.status}">${order.status}${reason}</td>
    <td><a target="_blank" rel="noopener" href="${workflowUrl(order.id)}">in Temporal</a></td>`;
  row.children[1].textContent = order.description;
}

async function refreshAccount() {
  try {
    const account = await api('GET', '/api/account');
    $('#account').textContent = `Balance: ${money(account.balance, account.currency)}`;
    $('#open-account').hidden = true;
  } catch {
    $('#account').textContent = 'No account yet.';
    $('#open-account').hidden = false;
  }
}

async function loadOrders() {
  const page = await api('GET', '/api/orders?limit=50');
  $('#orders').replaceChildren();
  for (const order of page.items.toReversed()) showOrder(order);
}

/**
 * Reads the live order events (fetch, since EventSource cannot send a token). After a reconnect
 * it asks for what it missed (Last-Event-ID) and reloads the list, so nothing is left stale.
 */
async function listen(reconnecting = false) {
  stream?.abort();
  stream = new AbortController();
  try {
    const headers = { authorization: `Bearer ${token}` };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const answer = await fetch('/api/orders/events', { headers, signal: stream.signal });
    if (!answer.ok) {
      // Over the cap on open streams (other tabs), or the service is away: wait as told.
      $('#live').textContent = answer.status === 429 ? '(too many open tabs; waiting…)' : '(reconnecting…)';
      setTimeout(() => listen(true), 1000 * Number(answer.headers.get('retry-after') ?? 2) || 2000);
      return;
    }
    $('#live').textContent = '(live)';
    if (reconnecting) void loadOrders().then(refreshAccount, () => undefined);
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        const id = block.split('\n').find((line) => line.startsWith('id: '));
        if (id) lastEventId = id.slice(4);
        if (block.includes('event: order') && data) {
          showOrder(JSON.parse(data.slice(6)));
          void refreshAccount();
        }
      }
    }
  } catch (error) {
    if (error.name === 'AbortError') return;
  }
  $('#live').textContent = '(reconnecting…)';
  setTimeout(() => listen(true), 2000);
}

async function start() {
  const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  $('#who').textContent = `Signed in as ${claims.sub}`;
  $('#sign-in').hidden = true;
  $('#shop').hidden = false;
  lastEventId = undefined;
  await loadOrders();
  await refreshAccount();
  void listen();
}

function handle(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    say('');
    try {
      await action(new FormData(form));
    } catch (error) {
      say(error.message);
    }
  });
}

handle($('#sign-in-form'), async (form) => {
  const answer = await fetch('/storefront/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: form.get('userId') }),
  });
  if (!answer.ok) throw new Error((await answer.json()).detail);
  token = (await answer.json()).token;
  sessionStorage.setItem('token', token);
  await start();
});
handle($('#token-form'), async (form) => {
  token = String(form.get('token')).trim();
  sessionStorage.setItem('token', token);
  await start();
});
handle($('#deposit-form'), async (form) => {
  await api('POST', '/api/account/deposits', { amount: Number(form.get('amount')) });
  await refreshAccount();
});
handle($('#order-form'), async (form) => {
  showOrder(await api('POST', '/api/orders', { amount: Number(form.get('amount')), description: form.get('description') }));
});
$('#open-account').addEventListener('click', async () => {
  try {
    await api('POST', '/api/account');
    await refreshAccount();
  } catch (error) {
    say(error.message);
  }
});

if (token) start().catch(() => sessionStorage.removeItem('token'));
