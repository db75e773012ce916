import { z } from 'zod';

/** A setting that is missing or malformed; its message names every bad variable, never a value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the settings a process needs from its environment. */
export function readConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

/** Validators for the kinds of value the settings hold. */
export const setting = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback),
  host: (fallback: string) => z.string().min(1).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  /** One or more http(s) origins, comma-separated: the instances of a service (PAYMENTS_URL, ORDERS_URL). */
  serviceUrls: (fallback: string) => z.string().optional().transform((text, ctx) => parseServiceUrls(text ?? fallback, ctx)),
  postgresUrl: () => z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' }),
  /** A name or IPv4 address, or an IPv6 address in brackets, then a port. */
  hostPort: () => z.string().regex(/^([\w.-]+|\[[\da-fA-F:.]+\]):\d{1,5}$/, 'expected host:port'),
  /** Connections in one process's database pool; every pooled process's share of max_connections. */
  poolSize: () => z.coerce.number().int().positive().max(100).default(10),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** A limit of some count, where 0 means none. */
  limit: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  milliseconds: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  secret: () =>
    z.string({ error: 'is required' }).min(32, 'must be at least 32 characters long'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  temporalNamespace: () => z.string().min(1).default('default'),
  currency: () => z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD').default('USD'),
};

/**
 * The origins in a comma-separated list of service URLs. Each must be a bare http(s) origin: a
 * path would be dropped (the gateway sends the caller's path), credentials would go to every
 * request's logs, and a repeated instance would get twice the share. The issue names the entry by
 * its place, never by its text.
 */
function parseServiceUrls(text: string, ctx: z.RefinementCtx): string[] {
  const origins: string[] = [];
  text.split(',').forEach((entry, index) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${message}` });
    const url = URL.parse(entry.trim());
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return problem('expected an http:// or https:// URL');
    if (url.username || url.password) return problem('must not carry a user name or password');
    if (url.pathname !== '/' || url.search || url.hash) return problem('expected scheme://host:port alone, without a path, query or fragment');
    const before = origins.indexOf(url.origin);
    if (before !== -1) return problem(`repeats entry ${before + 1}`);
    origins.push(url.origin);
  });
  return origins;
}

/**
 * Where a service listens and keeps its data, in settings named after it: <NAME>_HOST,
 * <NAME>_PORT and <NAME>_DATABASE_URL (ORDERS_PORT, say), so that one environment can hold
 * every service's without a clash.
 */
export function addressSettings<Name extends string>(name: Name, defaultPort: number) {
  return {
    [`${name}_HOST`]: setting.host('127.0.0.1'),
    [`${name}_PORT`]: setting.port(defaultPort),
    [`${name}_DATABASE_URL`]: setting.postgresUrl(),
  } as Record<`${Name}_HOST`, ReturnType<typeof setting.host>> &
    Record<`${Name}_PORT`, ReturnType<typeof setting.port>> &
    Record<`${Name}_DATABASE_URL`, ReturnType<typeof setting.postgresUrl>>;
}
export type AddressSettings<Name extends string> = Record<`${Name}_HOST` | `${Name}_DATABASE_URL`, string> & Record<`${Name}_PORT`, number>;

/** The address settings of the service `name`, read back from its configuration. */
export function addressOf<Name extends string>(config: AddressSettings<Name>, name: Name): { host: string; port: number; databaseUrl: string } {
  const text: Record<`${Name}_HOST` | `${Name}_DATABASE_URL`, string> = config;
  const numbers: Record<`${Name}_PORT`, number> = config;
  return { host: text[`${name}_HOST`], port: numbers[`${name}_PORT`], databaseUrl: text[`${name}_DATABASE_URL`] };
}

/** What every program of the system reads: how much it logs, and where it serves its metrics (none if unset). */
export const programSettings = {
  LOG_LEVEL: setting.logLevel(),
  METRICS_ADDRESS: setting.hostPort().optional(),
};

/** What every HTTP service reads besides: its database pool's size, and the token its callers show. */
export const serviceSettings = {
  ...programSettings,
  DATABASE_POOL_SIZE: setting.poolSize(),
  INTERNAL_TOKEN: setting.secret(),
};
export type ServiceSettings = z.infer<z.ZodObject<typeof serviceSettings>>;
