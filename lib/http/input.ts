import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { HttpProblem, validationProblem } from './problem.ts';

export const BODY_LIMIT_BYTES = 16 * 1024;

/** Parses JSON bodies up to the limit; anything unreadable is a 4xx problem, never a 500. */
export function jsonBodyParser(): Middleware {
  return bodyParser({
    enableTypes: ['json'],
    jsonLimit: BODY_LIMIT_BYTES,
    onError(error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw new HttpProblem(413, 'body-too-large', `The body must be at most ${BODY_LIMIT_BYTES} bytes.`);
      if (status === 415) throw new HttpProblem(415, 'unsupported-media-type', 'The body must be JSON.');
      throw new HttpProblem(400, 'malformed-json', 'The body must be a JSON object.');
    },
  });
}

/** The request body, checked against its schema: a non-JSON body answers 415, an invalid one 422. */
export function readBody<Schema extends z.ZodType>(ctx: Context, schema: Schema): z.infer<Schema> {
  // ctx.is() is false when there is a body of another type (an empty one counts as none).
  if (ctx.request.length !== 0 && ctx.is('application/json') === false) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Send the body as application/json.');
  }
  const result = schema.safeParse(ctx.request.body ?? {});
  if (!result.success) throw validationProblem(result.error);
  return result.data;
}

/** The query string, checked against its schema: anything off answers 400, naming the parameter. */
export function readQuery<Schema extends z.ZodType>(ctx: Context, schema: Schema): z.infer<Schema> {
  const result = schema.safeParse(ctx.query);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ pointer: `?${issue.path.map(String).join('.')}`, detail: issue.message }));
  throw new HttpProblem(400, 'invalid-query', 'The query string is not valid.', { errors });
}
