/** The notifier's Prometheus series (src/metrics/notifier-metrics.ts) and the /metrics endpoint (src/metrics/server.ts). */
import { request } from 'node:http';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config';
import {
  createNotifierMetrics,
  eventTypeLabel,
  NOTIFIER_METRIC_NAMES,
  NOTIFIER_METRIC_TYPES,
  secondsSince,
} from '../../src/metrics/notifier-metrics';
import { createProcessRegistry, startMetricsServer, type MetricsServer } from '../../src/metrics/server';

function get(url: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('notifier metrics', () => {
  it('registers every series with HELP and TYPE before anything is recorded', async () => {
    const registry = new Registry();
    createNotifierMetrics(registry);
    const text = await registry.metrics();
    for (const [key, name] of Object.entries(NOTIFIER_METRIC_NAMES)) {
      const type = NOTIFIER_METRIC_TYPES[key as keyof typeof NOTIFIER_METRIC_NAMES];
      expect(text).toContain(`# TYPE ${name} ${type}`);
      expect(text).toContain(`# HELP ${name} `);
    }
  });

  it('counts deliveries, retries, dead letters and duplicates with their labels', async () => {
    const registry = new Registry();
    const metrics = createNotifierMetrics(registry);
    metrics.delivered('POLICE', 'case-opened', 0.2);
    metrics.delivered('POLICE', 'case-opened', 3);
    metrics.delivered('JUDICIARY', 'task-created');
    metrics.retried('POLICE', 'case-opened');
    metrics.deadLettered('OVERSIGHT', 'delivery-exhausted');
    metrics.deadLettered('OVERSIGHT', 'unparsable');
    metrics.duplicateSkipped('POLICE');
    metrics.duplicateSkipped('POLICE');

    const text = await registry.metrics();
    expect(text).toContain('notifier_delivered_total{agency="POLICE",event_type="case-opened"} 2');
    expect(text).toContain('notifier_delivered_total{agency="JUDICIARY",event_type="task-created"} 1');
    expect(text).toContain('notifier_retried_total{agency="POLICE",event_type="case-opened"} 1');
    expect(text).toContain('notifier_dead_lettered_total{agency="OVERSIGHT",reason="delivery-exhausted"} 1');
    expect(text).toContain('notifier_dead_lettered_total{agency="OVERSIGHT",reason="unparsable"} 1');
    expect(text).toContain('notifier_duplicates_skipped_total{agency="POLICE"} 2');
    // Two observations for POLICE (the JUDICIARY delivery had no event time): 0.2 s and 3 s.
    expect(text).toContain('notifier_delivery_latency_seconds_count{agency="POLICE"} 2');
    expect(text).toContain('notifier_delivery_latency_seconds_sum{agency="POLICE"} 3.2');
    expect(text).toContain('notifier_delivery_latency_seconds_bucket{le="0.25",agency="POLICE"} 1');
    expect(text).toContain('notifier_delivery_latency_seconds_bucket{le="5",agency="POLICE"} 2');
    expect(text).not.toContain('notifier_delivery_latency_seconds_count{agency="JUDICIARY"}');
  });

  it('reports leases, replays and how long an agency has been blocked behind a failing delivery', async () => {
    const registry = new Registry();
    const metrics = createNotifierMetrics(registry);
    metrics.leaseChanged('POLICE', 'acquired');
    metrics.leaseChanged('JUDICIARY', 'acquired');
    metrics.leaseChanged('JUDICIARY', 'lost');
    metrics.replayDelivered('CLEARED');
    metrics.blocked('POLICE', 42.5);
    metrics.blocked('JUDICIARY', Number.NaN);
    const text = await registry.metrics();
    expect(text).toContain('notifier_lease_held{agency="POLICE"} 1');
    expect(text).toContain('notifier_lease_held{agency="JUDICIARY"} 0');
    expect(text).toContain('notifier_lease_changes_total{agency="JUDICIARY",change="lost"} 1');
    expect(text).toContain('notifier_dead_letter_replays_delivered_total{agency="CLEARED"} 1');
    expect(text).toContain('notifier_delivery_blocked_seconds{agency="POLICE"} 42.5');
    expect(text).toContain('notifier_delivery_blocked_seconds{agency="JUDICIARY"} 0');
  });

  it('never observes a negative latency (clock skew between worker and notifier)', async () => {
    const registry = new Registry();
    createNotifierMetrics(registry).delivered('POLICE', 'case-opened', -4);
    const text = await registry.metrics();
    expect(text).toContain('notifier_delivery_latency_seconds_bucket{le="0.05",agency="POLICE"} 1');
    expect(text).toContain('notifier_delivery_latency_seconds_sum{agency="POLICE"} 0');
  });

  it('keeps the event-type label within the catalogue', async () => {
    expect(eventTypeLabel('case-opened')).toBe('case-opened');
    expect(eventTypeLabel('unknown')).toBe('unknown');
    expect(eventTypeLabel('made-up-by-a-publisher')).toBe('other');
    const registry = new Registry();
    createNotifierMetrics(registry).retried('POLICE', 'made-up-by-a-publisher');
    expect(await registry.metrics()).toContain('notifier_retried_total{agency="POLICE",event_type="other"} 1');
  });

  it('measures latency from the event time', () => {
    const now = new Date('2026-03-01T08:00:10.500Z');
    expect(secondsSince('2026-03-01T08:00:00.000Z', now)).toBe(10.5);
    expect(secondsSince('2026-03-01T03:00:00.000-05:00', now)).toBe(10.5);
    expect(secondsSince('not a time', now)).toBeUndefined();
  });
});

describe('metrics endpoint', () => {
  let server: MetricsServer;
  beforeAll(async () => {
    const registry = createProcessRegistry({ service: 'notifier' });
    createNotifierMetrics(registry).delivered('POLICE', 'case-opened', 1);
    server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  it('serves the registry in the Prometheus text format on GET /metrics', async () => {
    const res = await get(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain(
      'notifier_delivered_total{agency="POLICE",event_type="case-opened",service="notifier"} 1',
    );
    // The process defaults come along (memory, CPU, event loop lag).
    expect(res.body).toMatch(/^process_resident_memory_bytes\{service="notifier"\} \d+/m);
    expect(res.body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('answers /healthz, and nothing else', async () => {
    expect(await get(`${server.url}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get(`${server.url}/metrics?x=1`)).status).toBe(200);
    expect((await get(`${server.url}/`)).status).toBe(404);
    expect((await get(`${server.url}/metrics/extra`)).status).toBe(404);
    const post = await get(`${server.url}/metrics`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('reports the port it bound when asked for port 0', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });
});

describe('metrics configuration', () => {
  it('is off unless asked for', () => {
    const config = loadConfig({});
    expect(config.METRICS_PORT).toBe(0);
    expect(config.METRICS_HOST).toBe('127.0.0.1');
    expect(config.TEMPORAL_METRICS_ADDRESS).toBeUndefined();
  });

  it('takes the addresses the compose files set', () => {
    const config = loadConfig({
      METRICS_PORT: '9465',
      METRICS_HOST: '0.0.0.0',
      TEMPORAL_METRICS_ADDRESS: '0.0.0.0:9464',
    });
    expect(config).toMatchObject({
      METRICS_PORT: 9465,
      METRICS_HOST: '0.0.0.0',
      TEMPORAL_METRICS_ADDRESS: '0.0.0.0:9464',
    });
  });

  it('names the variable and the rule for a bad address', () => {
    expect(() => loadConfig({ TEMPORAL_METRICS_ADDRESS: '9464' })).toThrow(
      /TEMPORAL_METRICS_ADDRESS: must be host:port/,
    );
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });
});
