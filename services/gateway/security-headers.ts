import helmet from 'koa-helmet';
import type { Middleware } from 'koa';

/**
 * Helmet's security headers with a strict Content-Security-Policy for every answer: the storefront
 * and the docs load scripts, styles, images and connections from the gateway itself and nowhere
 * else, nothing inline (no 'unsafe-inline', no eval), no plugins, no framing; the API's JSON
 * needs nothing at all from a browser. Links out (the Temporal Web UI) are navigation, which the
 * policy leaves alone.
 */
export function securityHeaders(): Middleware {
  return helmet({
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
  });
}
