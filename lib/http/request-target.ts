import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Middleware } from 'koa';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem.ts';

const NOT_ORIGIN_FORM = 'The request target must be a path starting with "/" (origin-form).';

/**
 * Refuses a request target that is not origin-form: `GET http://host/...` (absolute-form),
 * `OPTIONS *`. Node keeps such a target as `req.url`, and anything that builds a URL from it
 * would follow the caller's host instead of ours.
 */
export function originFormOnly(): Middleware {
  return async (ctx, next) => {
    if (!ctx.req.url?.startsWith('/')) throw new HttpProblem(400, 'invalid-request-target', NOT_ORIGIN_FORM);
    await next();
  };
}

/**
 * Answers `CONNECT host:port` (authority-form), which Node hands to the server's `connect`
 * event instead of the app, with the same 400 problem; without it the connection just drops.
 */
export function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  const body = JSON.stringify(new HttpProblem(400, 'invalid-request-target', NOT_ORIGIN_FORM).toBody());
  socket.end(
    `HTTP/1.1 400 Bad Request\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
