/**
 * Prometheus text at `/metrics`, the same numbers as JSON for the dashboard's metrics view, and the live
 * workers of distributed mode for its workers view.
 */
import { errorMessage } from '../../support/errors.js';
import { HttpError } from './http-io.js';
import type { ApiContext } from './route-context.js';
import type { Route } from './router.js';

const shownInDashboard = /^(ai_collab_|process_resident_memory_bytes$|nodejs_eventloop_lag_p99_seconds$)/;

export function metricsRoutes(api: ApiContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      access: 'token',
      handle: async ({ response }) => {
        const text = await api.metrics.registry.metrics();
        response.writeHead(200, {
          'content-type': api.metrics.registry.contentType,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        response.end(text);
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/api/workers',
      access: 'token',
      handle: async () => {
        if (!api.cluster) return { body: { distributed: false } };
        try {
          return { body: { distributed: true, ...(await api.cluster()) } };
        } catch (error) {
          throw new HttpError(503, 'REDIS_UNAVAILABLE', `cannot read the workers: ${errorMessage(error)}`);
        }
      },
    },
    {
      method: 'GET',
      path: '/api/metrics',
      access: 'token',
      handle: async () => {
        const metrics = await api.metrics.registry.getMetricsAsJSON();
        return { body: { metrics: metrics.filter((metric) => shownInDashboard.test(metric.name)) } };
      },
    },
  ];
}
