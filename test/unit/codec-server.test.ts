import { randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import pino from 'pino';
import { createCodecServer, type CodecServerOptions } from '../../src/codec-server/server';
import { SignInFlow } from '../../src/codec-server/sign-in';
import { TokenRejectedError, type Identity, type TokenVerifier } from '../../src/identity/verify';
import { EncryptionCodec, INSPECTOR_POLICY } from '../../src/temporal/codec';
import { Keyring } from '../../src/temporal/keyring';

/**
 * The codec server's protocol, limits, CORS and authorization rules, with a stand-in token verifier (real token
 * verification, the real identity provider and the browser sign-in are covered by the integration tests
 * identity-verify, privacy-codec-session and ui-codec).
 */
const ADMIN_TOKEN = 'admin-access-token-0123456789';
const CLERK_TOKEN = 'clerk-access-token-0123456789';
const UNREACHABLE_TOKEN = 'token-while-the-issuer-is-down';
const BREAK_GLASS = 'break-glass-0123456789abcdef';
const UI_ORIGIN = 'http://127.0.0.1:8233';
const MARKER = 'minor-V-1-full-name';

const identities: Record<string, Identity> = {
  [ADMIN_TOKEN]: { subject: 'sub-admin', staffId: 'admin-1', roles: ['admin'], clientId: 'cases-cli', kind: 'person' },
  [CLERK_TOKEN]: {
    subject: 'sub-clerk',
    agency: 'JUDICIARY',
    staffId: 'clerk-4',
    roles: ['court-clerk'],
    clientId: 'cases-cli',
    kind: 'person',
  },
};
const verifier: TokenVerifier = {
  issuer: 'http://127.0.0.1:1',
  audience: 'case-orchestrator',
  ready: async () => undefined,
  verify: async (token) => {
    if (token === UNREACHABLE_TOKEN) throw new TokenRejectedError('issuer-unreachable', 'down');
    const identity = token === undefined ? undefined : identities[token];
    if (!identity) throw new TokenRejectedError(token ? 'bad-signature' : 'missing', 'refused');
    return identity;
  },
};
const signIn = new SignInFlow({
  issuer: 'http://127.0.0.1:1',
  clientId: 'codec-server',
  clientSecret: 'unused-in-these-tests-0123456789',
  redirectUri: 'http://127.0.0.1:8888/session/callback',
});
const codec = () => new EncryptionCodec(Keyring.fromKeys({ k1: randomBytes(32) }, 'k1'), INSPECTOR_POLICY);

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
    codec: codec(),
    verifier,
    signIn,
    breakGlassToken: BREAK_GLASS,
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

const auth = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
interface LogLine {
  msg: string;
  level: number;
  status?: number;
  auth?: string;
  subject?: string;
  staffId?: string;
  operation?: string;
  payloads?: number;
  tokenRejected?: string;
}
const logs = () => logLines.map((l) => JSON.parse(l) as LogLine);
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

  it('401 with a token that does not verify, including a prefix of a good one, and other schemes', async () => {
    for (const token of ['wrong-token-0123456789abcdef', ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`, '']) {
      const r = await call('POST', '/decode', { Authorization: `Bearer ${token}` }, body);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toContain('Bearer');
    }
    expect((await call('POST', '/decode', { Authorization: `Basic ${ADMIN_TOKEN}` }, body)).status).toBe(401);
  });

  it('403 for a verified token without the admin role, naming the rule only', async () => {
    const r = await call('POST', '/decode', { Authorization: `Bearer ${CLERK_TOKEN}` }, body);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ error: 'decoding payloads needs the admin role' });
    expect(logs()).toContainEqual(
      expect.objectContaining({ msg: 'codec request refused', status: 403, subject: 'sub-clerk', staffId: 'clerk-4' }),
    );
  });

  it('503 when the identity provider cannot be reached to check a token', async () => {
    const r = await call('POST', '/decode', { Authorization: `Bearer ${UNREACHABLE_TOKEN}` }, body);
    expect(r.status).toBe(503);
  });

  it('logs every decode with the admin subject and staff id, and how many payloads, never their content', async () => {
    const r = await call('POST', '/decode', auth, JSON.stringify({ payloads: [payloadJson({ victim: MARKER })] }));
    expect(r.status).toBe(200);
    expect(logs()).toContainEqual(
      expect.objectContaining({
        msg: 'codec request',
        operation: 'decode',
        auth: 'bearer',
        subject: 'sub-admin',
        staffId: 'admin-1',
        payloads: 1,
        status: 200,
      }),
    );
    expect(logLines.join('')).not.toContain(Buffer.from(JSON.stringify({ victim: MARKER })).toString('base64'));
  });

  it('accepts the break-glass token when configured, and says so at warn level', async () => {
    const r = await call('POST', '/decode', { Authorization: `Bearer ${BREAK_GLASS}` }, body);
    expect(r.status).toBe(200);
    expect(logs()).toContainEqual(
      expect.objectContaining({ msg: 'codec request with the break-glass token', auth: 'break-glass', level: 40 }),
    );
  });

  it('never logs a token', () => {
    const text = logLines.join('');
    for (const token of [ADMIN_TOKEN, CLERK_TOKEN, BREAK_GLASS]) expect(text).not.toContain(token);
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
  const base: CodecServerOptions = {
    codec: codec(),
    verifier,
    signIn,
    allowedOrigin: UI_ORIGIN,
    logger: pino({ level: 'silent' }),
  };

  it('refuses a short break-glass token and a non-http origin', () => {
    expect(() => createCodecServer({ ...base, breakGlassToken: 'short' })).toThrow(/16 characters/);
    expect(() => createCodecServer({ ...base, allowedOrigin: 'file:///tmp' })).toThrow(/http or https/);
  });

  it('without a break-glass token, that token is just another invalid bearer token', async () => {
    const s = createCodecServer(base);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      const r = await fetch(`${url}/decode`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${BREAK_GLASS}` },
        body: '{}',
      });
      expect(r.status).toBe(401);
      expect((await fetch(`${url}/session/break-glass`)).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
