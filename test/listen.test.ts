import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import type { Client } from '@temporalio/client';
import { listen } from '../lib/database/listen.ts';
import type { Orm } from '../lib/database/open-database.ts';
import { OutboxRelay } from '../services/orders/outbox/outbox-relay.ts';
import { testLogger } from '../harness/stack.ts';

// A LISTEN connection that goes half-open (the peer vanishes without a word) raises no error:
// only the periodic check notices, and the listener reconnects and hears notifications again.

const serverUrl = () => {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run the tests through Jest (npm test).');
  return new URL(url);
};

/** Starts the proxy on a free loopback port; the URL is the target's, with the proxy's address. */
async function listenInFrontOf(server: Server, target: URL): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return url.toString();
}

/** A TCP proxy to PostgreSQL whose open connections can be made to swallow every byte, unclosed. */
async function startProxy(target: URL): Promise<{ url: string; blackhole: () => void; close: () => void }> {
  const pairs: Socket[][] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    pairs.push([client, upstream]);
  });
  return {
    url: await listenInFrontOf(server, target),
    blackhole: () => {
      for (const [client, upstream] of pairs.splice(0)) {
        client?.unpipe();
        upstream?.unpipe();
        client?.removeAllListeners('data');
        upstream?.removeAllListeners('data');
        client?.on('data', () => undefined);
        upstream?.on('data', () => undefined);
      }
    },
    close: () => {
      server.close();
      for (const socket of pairs.flat()) socket.destroy();
    },
  };
}

test('a half-open LISTEN connection is noticed by its check and replaced; notifications arrive again', async () => {
  const proxy = await startProxy(serverUrl());
  const channel = `listen_test_${randomBytes(4).toString('hex')}`;
  const heard: string[] = [];
  const listener = listen(proxy.url, channel, (payload) => heard.push(payload), testLogger, { checkEveryMs: 200, checkTimeoutMs: 300 });
  const notifier = new pg.Client({ connectionString: serverUrl().toString() });
  await notifier.connect();
  const until = async (condition: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return condition();
  };
  try {
    expect(await until(() => heard.includes(''), 5_000)).toBe(true);
    await notifier.query('select pg_notify($1, $2)', [channel, 'before']);
    expect(await until(() => heard.includes('before'), 5_000)).toBe(true);

    proxy.blackhole();
    const connects = heard.filter((payload) => payload === '').length;
    // The reconnect says so with an empty notification (catch up on what may have been missed).
    expect(await until(() => heard.filter((payload) => payload === '').length > connects, 10_000)).toBe(true);
    await notifier.query('select pg_notify($1, $2)', [channel, 'after']);
    expect(await until(() => heard.includes('after'), 5_000)).toBe(true);
  } finally {
    await notifier.end();
    // Cut the proxied connections first: ending one that is still half-open would wait for ever.
    proxy.close();
    await Promise.race([listener.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
});

/**
 * A TCP proxy to PostgreSQL that holds every connection unanswered until it is opened; then new
 * connections pass, and the held ones too if `releaseHeld` (else they stay hung, as on a hung server).
 */
async function startGate(target: URL): Promise<{ url: string; open: (releaseHeld: boolean) => void; close: () => void }> {
  const held: Socket[] = [];
  const sockets: Socket[] = [];
  let opened = false;
  const pass = (client: Socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  };
  const server = createServer((client) => {
    sockets.push(client);
    client.on('error', () => undefined);
    if (opened) pass(client);
    else held.push(client);
  });
  return {
    url: await listenInFrontOf(server, target),
    open: (releaseHeld) => {
      opened = true;
      if (releaseHeld) for (const client of held.splice(0)) if (!client.destroyed) pass(client);
    },
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

test('a connection attempt that is never answered is given up and tried again, so LISTEN resumes once the server answers', async () => {
  const gate = await startGate(serverUrl());
  const heard: string[] = [];
  const listener = listen(gate.url, `listen_test_${randomBytes(4).toString('hex')}`, (payload) => heard.push(payload), testLogger, { checkEveryMs: 200, checkTimeoutMs: 300 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    gate.open(false);
    const deadline = Date.now() + 10_000;
    while (!heard.includes('') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).toContain('');
  } finally {
    gate.close();
    await Promise.race([listener.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
});

test('a listener closed while it is still connecting does not listen once the connection comes up', async () => {
  const gate = await startGate(serverUrl());
  const channel = `listen_test_${randomBytes(4).toString('hex')}`;
  // No check in the time of the test: the leaked connection's last query stays the LISTEN.
  const listener = listen(gate.url, channel, () => undefined, testLogger, { checkEveryMs: 60_000, checkTimeoutMs: 5_000 });
  const observer = new pg.Client({ connectionString: serverUrl().toString() });
  await observer.connect();
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await listener.close();
    gate.open(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const listening = await observer.query('select pid from pg_stat_activity where query = $1', [`listen "${channel}"`]);
    expect(listening.rowCount).toBe(0);
  } finally {
    await observer.end();
    gate.close();
  }
});

/** Whether `promise` settled within `ms`. */
const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

test('a listener says it is listening only once its LISTEN is established', async () => {
  const gate = await startGate(serverUrl());
  const listener = listen(gate.url, `listen_test_${randomBytes(4).toString('hex')}`, () => undefined, testLogger, { checkEveryMs: 60_000, checkTimeoutMs: 300 });
  try {
    expect(await settlesWithin(listener.listening, 1_000)).toBe(false);
    gate.open(false);
    expect(await settlesWithin(listener.listening, 10_000)).toBe(true);
  } finally {
    gate.close();
    await Promise.race([listener.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
});

test('a relay whose LISTEN cannot be established does not finish starting, so it never tells the supervisor it is ready', async () => {
  const gate = await startGate(serverUrl());
  // Neither its database nor Temporal is reached while the LISTEN is held: no sweep runs before the first connect.
  const relay = new OutboxRelay({ orm: undefined as unknown as Orm, temporal: undefined as unknown as Client, logger: testLogger, databaseUrl: gate.url, batchSize: 1, pollIntervalMs: 3_600_000, maxAttempts: 1 });
  try {
    expect(await settlesWithin(relay.start(), 2_000)).toBe(false);
  } finally {
    gate.close();
    await Promise.race([relay.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
});
