import { randomBytes } from 'node:crypto';
import type { Orm } from '../lib/database/open-database.ts';
import type { Metrics } from '../lib/http/metrics.ts';
import { serve, type ClientTimeouts, type RunningServer } from '../lib/http/server.ts';
import { createLogger } from '../lib/logger.ts';
import { createGateway } from '../services/gateway/app.ts';
import { readGatewayConfig, WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { createOrdersApp } from '../services/orders/app.ts';
import { readOrdersConfig } from '../services/orders/config.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { createPaymentsApp } from '../services/payments/app.ts';
import { readPaymentsConfig } from '../services/payments/config.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { freshDatabaseUrl } from './database-url.ts';
import { request, type Answer, type RequestOptions } from './http.ts';

export type Client = (method: string, path: string, options?: RequestOptions) => Promise<Answer>;

export interface Stack {
  gatewayUrl: string;
  paymentsUrl: string;
  ordersUrl: string;
  internalToken: string;
  jwtSecret: string;
  paymentsDatabaseUrl: string;
  ordersDatabaseUrl: string;
  gatewayDatabaseUrl: string;
  paymentsOrm: Orm;
  ordersOrm: Orm;
  /** The orders service's metrics, as Prometheus would scrape them from its metrics listener. */
  ordersMetrics(): Promise<string>;
  tokenFor(userId: string): Promise<string>;
  /** Requests to the gateway as this user. */
  clientFor(userId: string): Promise<Client>;
  /** Requests to the gateway as this user, who has an account with this balance. */
  fundedClientFor(userId: string, balance: number): Promise<Client>;
  stop(): Promise<void>;
}

export const testLogger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** A real gateway with these settings on a free port, and its metrics; closing it closes its database pool too. */
export async function serveGateway(env: NodeJS.ProcessEnv, timeouts?: ClientTimeouts): Promise<RunningServer & { metrics: Metrics }> {
  const gateway = await createGateway(readGatewayConfig(env), testLogger);
  const server = await serve(gateway.app, '127.0.0.1', 0, timeouts);
  return {
    ...server,
    metrics: gateway.metrics,
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

/** One more gateway in front of the stack's services, on its database and secrets, with these settings on top. */
export function serveGatewayFor(stack: Stack, env: NodeJS.ProcessEnv): Promise<RunningServer & { metrics: Metrics }> {
  return serveGateway({
    GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl,
    PAYMENTS_URL: stack.paymentsUrl,
    ORDERS_URL: stack.ordersUrl,
    JWT_SECRET: stack.jwtSecret,
    INTERNAL_TOKEN: stack.internalToken,
    ...env,
  });
}

/** The real services and gateway, over real HTTP on free ports, on fresh databases. */
export async function startStack(): Promise<Stack> {
  const internalToken = randomBytes(32).toString('hex');
  const jwtSecret = randomBytes(32).toString('hex');
  const paymentsDatabaseUrl = freshDatabaseUrl('payments');
  const ordersDatabaseUrl = freshDatabaseUrl('orders');

  const paymentsConfig = readPaymentsConfig({ PAYMENTS_DATABASE_URL: paymentsDatabaseUrl, INTERNAL_TOKEN: internalToken });
  const paymentsOrm = await openPaymentsDatabase(paymentsDatabaseUrl, paymentsConfig.DATABASE_POOL_SIZE);
  const paymentsApp = createPaymentsApp(paymentsOrm, paymentsConfig, testLogger);
  const payments = await serve(paymentsApp.app, '127.0.0.1', 0);

  const ordersConfig = readOrdersConfig({ ORDERS_DATABASE_URL: ordersDatabaseUrl, INTERNAL_TOKEN: internalToken });
  const ordersOrm = await openOrdersDatabase(ordersDatabaseUrl, ordersConfig.DATABASE_POOL_SIZE);
  const ordersApp = createOrdersApp(ordersOrm, ordersConfig, testLogger);
  const orders = await serve(ordersApp.app, '127.0.0.1', 0);

  const gatewayDatabaseUrl = freshDatabaseUrl('gateway');
  const gateway = await serveGateway({
    GATEWAY_DATABASE_URL: gatewayDatabaseUrl,
    PAYMENTS_URL: payments.url,
    ORDERS_URL: orders.url,
    JWT_SECRET: jwtSecret,
    INTERNAL_TOKEN: internalToken,
    DEV_SIGN_IN: 'true',
    // Tests hammer the API from one address as few users; the limits have tests of their own.
    ...WITHOUT_RATE_LIMITS,
  });

  const clientFor = async (userId: string): Promise<Client> => {
    const token = await signUserToken(jwtSecret, userId);
    return (method, path, options = {}) => request(gateway.url, method, path, { token, ...options });
  };

  return {
    gatewayUrl: gateway.url,
    paymentsUrl: payments.url,
    ordersUrl: orders.url,
    internalToken,
    jwtSecret,
    paymentsDatabaseUrl,
    ordersDatabaseUrl,
    gatewayDatabaseUrl,
    paymentsOrm,
    ordersOrm,
    ordersMetrics: () => ordersApp.metrics.registry.metrics(),
    tokenFor: (userId) => signUserToken(jwtSecret, userId),
    clientFor,
    async fundedClientFor(userId, balance) {
      const client = await clientFor(userId);
      await client('POST', '/api/account');
      if (balance > 0) await client('POST', '/api/account/deposits', { body: { amount: balance } });
      return client;
    },
    async stop() {
      await gateway.close();
      const closing = Promise.all([payments.close(), orders.close()]);
      await Promise.all([paymentsApp.close(), ordersApp.close()]);
      await closing;
      await Promise.all([paymentsOrm.close(), ordersOrm.close()]);
    },
  };
}
