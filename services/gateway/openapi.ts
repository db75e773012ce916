import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { problemSchema } from '../../lib/http/problem.ts';
import { idempotencyKeySchema } from '../../lib/idempotency/idempotent.ts';
import { accountSchema, depositRequestSchema } from '../payments/accounts/account.schemas.ts';
import { listOrdersQuerySchema, orderPageSchema, orderSchema, placeOrderRequestSchema } from '../orders/orders/order.schemas.ts';

// The document is generated from the very schemas that validate requests and type answers,
// so it cannot drift from what the services do.

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });
const idempotencyKey = idempotencyKeySchema.optional().meta({
  description: 'Makes a retry safe: the same key and body answer the first answer again (Idempotent-Replayed: true).',
});
const common: ZodOpenApiResponsesObject = {
  '401': problem('No token, or a bad or expired one'),
  '429': {
    ...problem('Over a request limit per address or per user (for the event stream, also the cap on open streams per user); nothing was done'),
    headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } },
  },
  '503': problem('A service behind the gateway is not reachable; nothing was done (Retry-After)'),
  '504': problem('A service did not answer in time; a change may have been made: retry with the same Idempotency-Key'),
};
const operation = (summary: string, responses: ZodOpenApiResponsesObject, extra: Partial<ZodOpenApiOperationObject> = {}): ZodOpenApiOperationObject => ({
  summary,
  security: [{ bearer: [] }],
  responses: { ...responses, ...common },
  ...extra,
});

export const openApiDocument = createDocument({
  openapi: '3.1.0',
  info: {
    title: 'Shop payments API',
    version: '1.0.0',
    description: 'Accounts and orders of an online shop; every order is paid from the account exactly once. Money is in minor units (cents).',
  },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  paths: {
    '/api/account': {
      post: operation('Open my account', { '201': { description: 'The new account', ...json(accountSchema) }, '409': problem('You already have one') }),
      get: operation('Read my account', { '200': { description: 'The account', ...json(accountSchema) }, '404': problem('No account yet') }),
    },
    '/api/account/deposits': {
      post: operation(
        'Deposit into my account',
        {
          '201': { description: 'The account after the deposit', ...json(accountSchema) },
          '404': problem('No account yet'),
          '409': problem('A request with this Idempotency-Key is still in progress'),
          '422': problem('A bad amount, a malformed Idempotency-Key, or a key reused with another body'),
        },
        { requestBody: json(depositRequestSchema), requestParams: { header: z.object({ 'idempotency-key': idempotencyKey }) } },
      ),
    },
    '/api/orders': {
      post: operation(
        'Place an order; it is paid asynchronously',
        {
          '202': { description: 'The order, status NEW; Location names it', ...json(orderSchema) },
          '409': problem('A request with this Idempotency-Key is still in progress'),
          '422': problem('Bad input, a malformed Idempotency-Key, or a key reused with another body'),
        },
        { requestBody: json(placeOrderRequestSchema), requestParams: { header: z.object({ 'idempotency-key': idempotencyKey }) } },
      ),
      get: operation(
        'List my orders, newest first',
        { '200': { description: 'A page of orders', ...json(orderPageSchema) }, '400': problem('A bad limit or cursor') },
        { requestParams: { query: listOrdersQuerySchema } },
      ),
    },
    '/api/orders/events': {
      get: operation('Live status of my orders (Server-Sent Events)', {
        '200': {
          description:
            'An `order` event, with the order as JSON data, each time one of my orders changes status; its `id` is the time of the change. ' +
            'Reconnecting with `Last-Event-ID` first replays every change since then (a few seconds more; an event may come twice).',
          content: { 'text/event-stream': { schema: z.string() } },
        },
      }, { requestParams: { header: z.object({ 'last-event-id': z.string().max(64).optional() }) } }),
    },
    '/api/orders/{id}': {
      get: operation(
        'Read one of my orders',
        { '200': { description: 'The order', ...json(orderSchema) }, '404': problem('No such order of mine') },
        { requestParams: { path: z.object({ id: z.string() }) } },
      ),
    },
    '/healthz': { get: { summary: 'Alive', responses: { '200': { description: 'The gateway runs' } } } },
    '/readyz': { get: { summary: 'Ready', responses: { '200': { description: 'Every service answers' }, '503': problem('A service is not ready') } } },
  },
});
