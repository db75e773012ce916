import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import type { Middleware } from 'koa';

/**
 * Helmet's security headers with a strict Content-Security-Policy for every answer: the storefront
 * and the docs load scripts, styles, images and connections from the gateway itself and nowhere
 * else, nothing inline (no 'unsafe-inline', no eval), no plugins, no framing; the API's JSON
 * needs nothing at all from a browser. Links out (the Temporal Web UI) are navigation, which the
 * policy leaves alone.
 */
export function securityHeaders(): Middleware {
  const headers = headersSetBy(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          // Swagger UI's stylesheet draws its icons as data: SVGs.
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
    }),
  );
  return (ctx, next) => {
    ctx.set(headers);
    return next();
  };
}

/**
 * The headers a helmet middleware sets, worked out once: every directive above is fixed, so they are
 * the same for every answer, and helmet would otherwise run a dozen middleware and build the policy's
 * text again for each request. Helmet only sets and removes headers; it reads nothing of the request.
 */
function headersSetBy(middleware: ReturnType<typeof helmet>): Record<string, string> {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  middleware(response.req, response, (error?: unknown) => {
    if (error !== undefined) throw new Error('helmet failed', { cause: error });
  });
  return Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]));
}
