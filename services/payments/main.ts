import { runService } from '../../lib/http/run-service.ts';
import { createPaymentsApp } from './app.ts';
import { readPaymentsConfig } from './config.ts';
import { openPaymentsDatabase } from './database.ts';

await runService({ name: 'payments', settings: 'PAYMENTS', readConfig: readPaymentsConfig, openDatabase: openPaymentsDatabase, createApp: createPaymentsApp });
