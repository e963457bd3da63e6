/** Latency bucket bounds in seconds: fine below 50 ms, where the warranty lookup's p99 goal sits. */
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

/** Per-route request counts by status class and a latency histogram, rendered by /metrics. */
export class RequestMetrics {
  private readonly counts = new Map<string, number>();
  private readonly latency = new Map<string, Series>();

  observe(route: string, method: string, status: number, seconds: number): void {
    const countKey = JSON.stringify([route, method, status]);
    this.counts.set(countKey, (this.counts.get(countKey) ?? 0) + 1);
    const latencyKey = JSON.stringify([route, method]);
    let series = this.latency.get(latencyKey);
    if (!series) {
      series = { count: 0, sum: 0, buckets: buckets.map(() => 0) };
      this.latency.set(latencyKey, series);
    }
    series.count += 1;
    series.sum += seconds;
    buckets.forEach((bound, i) => {
      if (seconds <= bound) series.buckets[i]! += 1;
    });
  }

  /** Prometheus text exposition of the two families. */
  render(): string[] {
    const lines = [
      '# HELP wearwatch_api_requests_total HTTP requests answered, by route, method and status code.',
      '# TYPE wearwatch_api_requests_total counter',
    ];
    for (const [key, count] of this.counts) {
      const [route, method, status] = JSON.parse(key) as [string, string, number];
      lines.push(`wearwatch_api_requests_total${labels({ route, method, status: String(status) })} ${count}`);
    }
    lines.push(
      '# HELP wearwatch_api_request_duration_seconds Time to answer an HTTP request, by route and method.',
      '# TYPE wearwatch_api_request_duration_seconds histogram',
    );
    for (const [key, series] of this.latency) {
      const [route, method] = JSON.parse(key) as [string, string];
      for (const [i, bound] of buckets.entries()) {
        lines.push(`wearwatch_api_request_duration_seconds_bucket${labels({ route, method, le: String(bound) })} ${series.buckets[i]}`);
      }
      lines.push(`wearwatch_api_request_duration_seconds_bucket${labels({ route, method, le: '+Inf' })} ${series.count}`);
      lines.push(`wearwatch_api_request_duration_seconds_sum${labels({ route, method })} ${series.sum}`);
      lines.push(`wearwatch_api_request_duration_seconds_count${labels({ route, method })} ${series.count}`);
    }
    return lines;
  }
}

/** `{a="1",b="2"}` with label values escaped as the exposition format requires. */
export function labels(values: Record<string, string>): string {
  const body = Object.entries(values)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  return `{${body}}`;
}
