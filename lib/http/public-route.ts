import Router, { type RouterMiddleware } from '@koa/router';
import type { z } from 'zod';
import { idempotent } from '../idempotency/idempotent.ts';

/** Every public route is served under this prefix, by the gateway and by the service behind it alike. */
export const API_PREFIX = '/api';

/**
 * One route of the public API, written once by the service that answers it: the service mounts
 * its handler from it, the gateway its forward, and the OpenAPI document and the fuzz tests read it.
 */
export interface PublicRoute {
  method: 'GET' | 'POST';
  /** Below API_PREFIX, in the router's syntax: `/orders/:id`. */
  path: string;
  summary: string;
  request?: { body?: z.ZodType; query?: z.ZodObject; path?: z.ZodObject; headers?: z.ZodObject };
  /** Takes an Idempotency-Key: the service answers it through idempotent(), whose answers (409, 422) the document adds. */
  idempotent?: boolean;
  /** Answers a long-lived event stream, which the gateway relays as it arrives. */
  stream?: boolean;
  /** By status: what it means, and for a success the schema of its body (problems have one of their own). */
  responses: Record<string, { description: string; schema?: z.ZodType }>;
}

export type PublicRoutes = Record<string, PublicRoute>;

/**
 * A router for a service's public routes, registered in the table's order: where two paths
 * match one request (`/orders/events` and `/orders/:id`), the one listed first answers.
 */
export function publicRouter<Routes extends PublicRoutes>(routes: Routes, handlers: { [Name in keyof Routes]: RouterMiddleware }): Router {
  const router = new Router({ prefix: API_PREFIX });
  for (const [name, route] of Object.entries(routes)) {
    const handler = handlers[name as keyof Routes];
    router.register(route.path, [route.method], route.idempotent ? [idempotent(), handler] : [handler]);
  }
  return router;
}

/** The public URL path of a route, with its parameters filled in (for a Location header). */
export function publicPath(route: PublicRoute, params: Record<string, string> = {}): string {
  return Router.url(`${API_PREFIX}${route.path}`, params);
}
