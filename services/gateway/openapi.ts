import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { problemSchema } from '../../lib/http/problem.ts';
import { API_PREFIX, type PublicRoute } from '../../lib/http/public-route.ts';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeySchema } from '../../lib/idempotency/idempotent.ts';
import { PUBLIC_ROUTES } from './public-routes.ts';

// The document is generated from the services' route tables and the very schemas that validate
// requests and type answers, so it cannot drift from what the services do.

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

/** What idempotent() answers besides the route: a key still in use (409), a bad or reused key (422, with the route's own 422). */
function idempotentResponses(route: PublicRoute): ZodOpenApiResponsesObject {
  const invalid = route.responses['422']?.description;
  return {
    '409': problem('A request with this Idempotency-Key is still in progress'),
    '422': problem(`${invalid ? `${invalid}, a` : 'A'} malformed Idempotency-Key, or a key reused with another body`),
  };
}

function operation(route: PublicRoute): ZodOpenApiOperationObject {
  const mediaType = route.stream ? 'text/event-stream' : 'application/json';
  const responses: ZodOpenApiResponsesObject = Object.fromEntries(
    Object.entries(route.responses).map(([status, { description, schema }]) => [status, schema ? { description, content: { [mediaType]: { schema } } } : problem(description)]),
  );
  const { body, query, path, headers } = route.request ?? {};
  const header = route.idempotent ? z.object({ [IDEMPOTENCY_KEY_HEADER]: idempotencyKey }) : headers;
  if (route.idempotent) Object.assign(responses, idempotentResponses(route));
  const requestParams = Object.fromEntries(Object.entries({ query, path, header }).filter(([, schema]) => schema !== undefined));
  return {
    summary: route.summary,
    security: [{ bearer: [] }],
    responses: { ...responses, ...common },
    ...(body ? { requestBody: { content: { 'application/json': { schema: body } } } } : {}),
    ...(Object.keys(requestParams).length > 0 ? { requestParams } : {}),
  };
}

/** `/orders/:id` in the router's syntax is `/api/orders/{id}` in OpenAPI's. */
const openApiPath = (route: PublicRoute) => `${API_PREFIX}${route.path.replace(/:(\w+)/g, '{$1}')}`;

const apiPaths: ZodOpenApiPathsObject = {};
for (const routes of Object.values(PUBLIC_ROUTES)) {
  for (const route of Object.values<PublicRoute>(routes)) {
    const path = openApiPath(route);
    apiPaths[path] = { ...apiPaths[path], [route.method.toLowerCase()]: operation(route) };
  }
}

export const openApiDocument = createDocument({
  openapi: '3.1.0',
  info: {
    title: 'Shop payments API',
    version: '1.0.0',
    description: 'Accounts and orders of an online shop; every order is paid from the account exactly once. Money is in minor units (cents).',
  },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  paths: {
    ...apiPaths,
    '/healthz': { get: { summary: 'Alive', responses: { '200': { description: 'The gateway runs' } } } },
    '/readyz': { get: { summary: 'Ready', responses: { '200': { description: 'Every service answers' }, '503': problem('A service is not ready') } } },
  },
});
