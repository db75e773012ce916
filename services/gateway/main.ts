import { serve } from '../../lib/http/server.ts';
import { createLogger } from '../../lib/logger.ts';
import { runMain } from '../../lib/main.ts';
import { createGatewayApp } from './app.ts';
import { readGatewayConfig } from './config.ts';

await runMain(async () => {
  const config = readGatewayConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const server = await serve(createGatewayApp(config, logger), config.GATEWAY_HOST, config.GATEWAY_PORT);
  logger.info({ url: server.url }, 'gateway listening');
  return { logger, stop: () => server.close() };
});
