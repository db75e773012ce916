import { randomBytes } from 'node:crypto';
import type { Orm } from '../../lib/database/open-database.ts';
import { serve } from '../../lib/http/server.ts';
import { createLogger } from '../../lib/logger.ts';
import { createGatewayApp } from '../../services/gateway/app.ts';
import { readGatewayConfig } from '../../services/gateway/config.ts';
import { signUserToken } from '../../services/gateway/sign-token.ts';
import { createPaymentsApp } from '../../services/payments/app.ts';
import { readPaymentsConfig } from '../../services/payments/config.ts';
import { openPaymentsDatabase } from '../../services/payments/database.ts';
import { freshDatabaseUrl } from './database-url.ts';
import { request, type Answer, type RequestOptions } from './http.ts';

export type Client = (method: string, path: string, options?: RequestOptions) => Promise<Answer>;

export interface AccountsStack {
  gatewayUrl: string;
  paymentsUrl: string;
  internalToken: string;
  jwtSecret: string;
  paymentsOrm: Orm;
  tokenFor(userId: string): Promise<string>;
  /** Requests to the gateway as this user. */
  clientFor(userId: string): Promise<Client>;
  stop(): Promise<void>;
}

/** The real payments service and gateway, over real HTTP on free ports, on a fresh database. */
export async function startAccountsStack(): Promise<AccountsStack> {
  const internalToken = randomBytes(32).toString('hex');
  const jwtSecret = randomBytes(32).toString('hex');
  const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

  const paymentsConfig = readPaymentsConfig({
    PAYMENTS_PORT: '0',
    PAYMENTS_DATABASE_URL: freshDatabaseUrl('payments'),
    INTERNAL_TOKEN: internalToken,
  });
  const paymentsOrm = await openPaymentsDatabase(paymentsConfig.PAYMENTS_DATABASE_URL);
  const payments = await serve(createPaymentsApp(paymentsOrm, paymentsConfig, logger), '127.0.0.1', 0);

  const gatewayConfig = readGatewayConfig({
    GATEWAY_PORT: '0',
    PAYMENTS_URL: payments.url,
    JWT_SECRET: jwtSecret,
    INTERNAL_TOKEN: internalToken,
  });
  const gateway = await serve(createGatewayApp(gatewayConfig, logger), '127.0.0.1', 0);

  return {
    gatewayUrl: gateway.url,
    paymentsUrl: payments.url,
    internalToken,
    jwtSecret,
    paymentsOrm,
    tokenFor: (userId) => signUserToken(jwtSecret, userId),
    async clientFor(userId) {
      const token = await signUserToken(jwtSecret, userId);
      return (method, path, options = {}) => request(gateway.url, method, path, { token, ...options });
    },
    async stop() {
      await gateway.close();
      await payments.close();
      await paymentsOrm.close();
    },
  };
}
