/** The container health check (src/metrics/healthcheck.ts): which endpoint it asks, and what counts as healthy. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthUrl, probe } from '../../src/metrics/healthcheck';

describe('healthUrl', () => {
  const none = { METRICS_PORT: 0, TEMPORAL_METRICS_ADDRESS: undefined };

  it('prefers an explicit URL (the codec server sets HEALTHCHECK_URL)', () => {
    expect(healthUrl({ ...none, METRICS_PORT: 9465 }, 'tcp://127.0.0.1:8888')).toBe('tcp://127.0.0.1:8888');
  });

  it("asks the notifier's /healthz when METRICS_PORT is set", () => {
    expect(healthUrl({ ...none, METRICS_PORT: 9465 }, undefined)).toBe('http://127.0.0.1:9465/healthz');
  });

  it("asks the Temporal runtime's /metrics on loopback for a wildcard bind, else on the bound address", () => {
    expect(healthUrl({ ...none, TEMPORAL_METRICS_ADDRESS: '0.0.0.0:9464' }, undefined)).toBe(
      'http://127.0.0.1:9464/metrics',
    );
    expect(healthUrl({ ...none, TEMPORAL_METRICS_ADDRESS: '10.0.0.7:9464' }, undefined)).toBe(
      'http://10.0.0.7:9464/metrics',
    );
  });

  it('has nothing to ask when no endpoint is configured', () => {
    expect(healthUrl(none, undefined)).toBeUndefined();
    expect(healthUrl(none, '')).toBeUndefined();
  });
});

describe('probe', () => {
  let server: Server;
  let base: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/slow') return; // never answers
      res.writeHead(Number(req.url?.slice(1)) || 200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it('resolves to the status the endpoint answers', async () => {
    await expect(probe(`${base}/200`)).resolves.toBe(200);
    await expect(probe(`${base}/405`)).resolves.toBe(405);
    await expect(probe(`${base}/503`)).resolves.toBe(503);
  });

  it('only connects for a tcp:// URL', async () => {
    const before = requests;
    await expect(probe(base.replace('http://', 'tcp://'))).resolves.toBe(200);
    expect(requests).toBe(before);
  });

  it('rejects when nothing answers in time, or nothing listens', async () => {
    await expect(probe(`${base}/slow`, 200)).rejects.toThrow(/no answer within 200 ms/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(probe(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(probe(`tcp://127.0.0.1:${port}`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
