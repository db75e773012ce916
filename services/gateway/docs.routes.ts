import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { openApiDocument } from './openapi.ts';

// Swagger UI from its npm package, served by the gateway itself: the docs work offline.
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
// A Map, not an object: the asset's name comes from the path, and `__proto__` or `constructor`
// must find nothing.
const ASSETS = new Map([
  ['swagger-ui.css', { type: 'text/css', dir: swaggerUiDir }],
  ['swagger-ui-bundle.js', { type: 'text/javascript', dir: swaggerUiDir }],
  ['docs.js', { type: 'text/javascript', dir: fileURLToPath(new URL('./docs/', import.meta.url)) }],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Shop payments API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="docs"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/docs.js"></script></body>
</html>`;

/** `/openapi.json`, the OpenAPI 3.1 document, and `/docs`, a page to browse and try it. */
export function docsRoutes(): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument;
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = PAGE;
  });
  router.get('/docs/:asset', (ctx) => {
    const name = ctx.params.asset ?? '';
    const asset = ASSETS.get(name);
    if (!asset) return;
    ctx.type = asset.type;
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = createReadStream(join(asset.dir, name));
  });
  return router;
}
