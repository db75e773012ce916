import type { PublicRoutes } from '../../lib/http/public-route.ts';
import { ORDERS_ROUTES } from '../orders/public-routes.ts';
import { PAYMENTS_ROUTES } from '../payments/public-routes.ts';

/**
 * Every public route, by the service that answers it (each service lists its own): what the
 * gateway forwards and the OpenAPI document describes.
 */
export const PUBLIC_ROUTES = { payments: PAYMENTS_ROUTES, orders: ORDERS_ROUTES } satisfies Record<string, PublicRoutes>;
