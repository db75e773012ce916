import { registryMetrics, serveMetrics } from '../../lib/http/metrics.ts';
import { serve } from '../../lib/http/server.ts';
import { createLogger } from '../../lib/logger.ts';
import { runMain } from '../../lib/main.ts';
import { createGateway } from './app.ts';
import { readGatewayConfig } from './config.ts';

await runMain(async () => {
  const config = readGatewayConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const gateway = await createGateway(config, logger);
  const metricsServer = config.METRICS_ADDRESS ? await serveMetrics(registryMetrics(gateway.metrics), config.METRICS_ADDRESS, { logger }) : undefined;
  const server = await serve(gateway.app, config.GATEWAY_HOST, config.GATEWAY_PORT);
  logger.info({ url: server.url, metrics: metricsServer?.url }, 'gateway listening');
  return {
    logger,
    stop: async () => {
      await server.close();
      await gateway.close();
      await metricsServer?.close();
    },
  };
});
