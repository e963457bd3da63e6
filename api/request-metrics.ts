import { Counter, Histogram, Registry } from 'prom-client';

/** Latency bucket bounds in seconds: fine below 50 ms, where the warranty lookup's p99 goal sits. */
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The API's Prometheus registry (one per server, so tests with several servers never share series) and its per-route
 * request counter and latency histogram. /metrics adds the ingest, index and fleet collectors to the same registry.
 */
export class RequestMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'wearwatch_api_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'wearwatch_api_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route and method.',
    labelNames: ['route', 'method'] as const,
    buckets,
    registers: [this.registry],
  });

  observe(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route, method }, seconds);
  }
}
