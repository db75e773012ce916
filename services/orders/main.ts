import { runService } from '../../lib/http/run-service.ts';
import { createOrdersApp } from './app.ts';
import { readOrdersConfig } from './config.ts';
import { openOrdersDatabase } from './database.ts';

await runService({ name: 'orders', settings: 'ORDERS', readConfig: readOrdersConfig, openDatabase: openOrdersDatabase, createApp: createOrdersApp });
