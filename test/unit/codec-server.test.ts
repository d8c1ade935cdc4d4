import { randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import pino from 'pino';
import { createCodecServer } from '../../src/codec-server/server';
import { EncryptionCodec } from '../../src/temporal/codec';
import { Keyring } from '../../src/temporal/keyring';

const TOKEN = 'test-token-0123456789abcdef';
const UI_ORIGIN = 'http://127.0.0.1:8233';
const MARKER = 'minor-V-1-full-name';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let port: number;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
  server = createCodecServer({
    codec: new EncryptionCodec(Keyring.fromKeys({ k1: randomBytes(32) }, 'k1')),
    token: TOKEN,
    allowedOrigin: `${UI_ORIGIN}/`,
    logger,
    maxBodyBytes: 64 * 1024,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

function call(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { Connection: 'close', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const payloadJson = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
};
const valueOf = (json: { metadata: Record<string, string>; data: string }) =>
  defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(json.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(json.data, 'base64'),
  });

describe('authentication', () => {
  const body = JSON.stringify({ payloads: [] });

  it('401 without a token', async () => {
    const r = await call('POST', '/decode', { 'Content-Type': 'application/json' }, body);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toContain('Bearer');
  });

  it('401 with a wrong token, including a prefix of the right one', async () => {
    for (const token of ['wrong-token-0123456789abcdef', TOKEN.slice(0, -1), `${TOKEN}x`, '']) {
      const r = await call('POST', '/decode', { Authorization: `Bearer ${token}` }, body);
      expect(r.status).toBe(401);
    }
    expect((await call('POST', '/decode', { Authorization: `Basic ${TOKEN}` }, body)).status).toBe(401);
  });

  it('never logs the token', () => {
    expect(logLines.join('')).not.toContain(TOKEN);
  });
});

describe('encode / decode', () => {
  it('round-trips payloads through the protocol', async () => {
    const input = { payloads: [payloadJson({ victim: MARKER }), payloadJson(42)] };
    const enc = await call('POST', '/encode', { ...auth, 'X-Namespace': 'default' }, JSON.stringify(input));
    expect(enc.status).toBe(200);
    expect(enc.headers['content-type']).toContain('application/json');
    expect(enc.headers['cache-control']).toBe('no-store');
    expect(enc.body).not.toContain(
      Buffer.from(JSON.stringify({ victim: MARKER }))
        .toString('base64')
        .slice(0, 16),
    );
    const encoded = JSON.parse(enc.body) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(encoded.payloads).toHaveLength(2);
    expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');

    // Any path prefix works: only the last segment selects the operation.
    const dec = await call('POST', '/default/decode', auth, enc.body);
    expect(dec.status).toBe(200);
    const decoded = JSON.parse(dec.body) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(decoded.payloads.map(valueOf)).toEqual([{ victim: MARKER }, 42]);
  });

  it('treats {} as empty Payloads, as proto3 JSON omits empty lists (the Temporal CLI sends it)', async () => {
    const r = await call('POST', '/decode', auth, '{}');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ payloads: [] });
  });

  it('400 naming the key id when the payload was encrypted with an unknown key', async () => {
    const payload = {
      metadata: {
        encoding: Buffer.from('binary/encrypted').toString('base64'),
        'encryption-key-id': Buffer.from('k-old').toString('base64'),
      },
      data: randomBytes(48).toString('base64'),
    };
    const r = await call('POST', '/decode', auth, JSON.stringify({ payloads: [payload] }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: expect.stringContaining('unknown key id "k-old"') });
  });

  it('404 for other paths, 405 for other methods', async () => {
    expect((await call('POST', '/decrypt', auth, '{}')).status).toBe(404);
    expect((await call('GET', '/decode', auth)).status).toBe(405);
  });
});

describe('request validation', () => {
  it('400 on malformed JSON, without quoting the body', async () => {
    const r = await call('POST', '/decode', auth, `{"payloads": [${MARKER}`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: 'request body is not valid JSON' });
  });

  it('400 on JSON that is not Payloads, naming the field', async () => {
    const r = await call('POST', '/decode', auth, JSON.stringify({ payloads: [{ data: 'not base64!' }] }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toContain('payloads.0.data: must be base64');
    expect((await call('POST', '/decode', auth, JSON.stringify({ payloads: {} }))).status).toBe(400);
    expect((await call('POST', '/decode', auth, '[]')).status).toBe(400);
    expect((await call('POST', '/decode', auth, '')).status).toBe(400);
  });

  it('413 on an oversized body (declared length)', async () => {
    const big = JSON.stringify({ payloads: [{ data: 'A'.repeat(70 * 1024) }] });
    const r = await call('POST', '/decode', auth, big);
    expect(r.status).toBe(413);
  });

  it('413 on an oversized chunked body', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/decode', headers: { ...auth, Connection: 'close' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // No Content-Length: chunked, so the limit is enforced while reading.
      for (let i = 0; i < 5; i++) req.write('A'.repeat(16 * 1024));
      req.end();
    });
    expect(r).toBe(413);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    call('OPTIONS', '/decode', {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type, x-namespace',
    });

  it('answers the UI origin preflight without requiring the token', async () => {
    const r = await preflight(UI_ORIGIN);
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(r.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, X-Namespace');
    expect(r.headers['access-control-allow-credentials']).toBe('true');
    expect(r.headers['access-control-allow-methods']).toContain('POST');
  });

  it('gives any other origin no CORS headers', async () => {
    for (const origin of ['http://evil.example', 'http://localhost:8233', 'null']) {
      const r = await preflight(origin);
      expect(r.status).toBe(403);
      expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    const post = await call('POST', '/decode', { ...auth, Origin: 'http://evil.example' }, '{"payloads":[]}');
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds CORS headers to actual responses for the UI origin, errors included', async () => {
    const ok = await call('POST', '/decode', { ...auth, Origin: UI_ORIGIN }, '{"payloads":[]}');
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    const denied = await call('POST', '/decode', { Origin: UI_ORIGIN }, '{"payloads":[]}');
    expect(denied.status).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  });
});

describe('createCodecServer', () => {
  const base = {
    codec: new EncryptionCodec(Keyring.fromKeys({ k1: randomBytes(32) }, 'k1')),
    logger: pino({ level: 'silent' }),
  };

  it('refuses a short token and a non-http origin', () => {
    expect(() => createCodecServer({ ...base, token: 'short', allowedOrigin: UI_ORIGIN })).toThrow(/16 characters/);
    expect(() => createCodecServer({ ...base, token: TOKEN, allowedOrigin: 'file:///tmp' })).toThrow(/http or https/);
  });
});
