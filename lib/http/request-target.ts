import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Middleware } from 'koa';
import { HttpProblem, writeProblemToSocket } from './problem.ts';

const NOT_ORIGIN_FORM = 'The request target must be a path starting with "/" (origin-form).';

/**
 * Refuses a request target that is not origin-form: `GET http://host/...` (absolute-form),
 * `OPTIONS *`. Node keeps such a target as `req.url`, and anything that builds a URL from it
 * would follow the caller's host instead of ours.
 */
export function originFormOnly(): Middleware {
  return async (ctx, next) => {
    if (!ctx.req.url?.startsWith('/')) throw new HttpProblem(400, 'invalid-request-target', NOT_ORIGIN_FORM);
    // HTTP/1.1 names the target by Host and path together; a request without Host is malformed.
    if (ctx.req.httpVersion === '1.1' && !ctx.get('host')) throw new HttpProblem(400, 'missing-host', 'An HTTP/1.1 request must carry a Host header.');
    await next();
  };
}

/**
 * Answers `CONNECT host:port` (authority-form), which Node hands to the server's `connect`
 * event instead of the app, with the same 400 problem; without it the connection just drops.
 */
export function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  writeProblemToSocket(socket, new HttpProblem(400, 'invalid-request-target', NOT_ORIGIN_FORM));
}
