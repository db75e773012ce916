import type { EntityManager } from '@mikro-orm/postgresql';

// What the middleware leaves on `ctx.state` for the handlers after it.
declare module 'koa' {
  interface DefaultState {
    /** Set by requestLog for every request. */
    requestId: string;
    /** Set by authentication: the JWT's subject at the gateway, the gateway's word in a service. */
    userId: string;
    /** Set by a handler that knows the order the request is about: its log lines carry it. */
    orderId?: string;
    /** Set by a service for every request: an entity manager of its own (or its transaction's). */
    em: EntityManager;
  }
}
