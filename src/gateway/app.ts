/**
 * The gateway: the one door for agency scripts, the `cases` CLI and (soon) staff browsers. It verifies each
 * caller's access token, acts as the identity the token proves, applies need-to-know to every read, and
 * alone (with the workers and admin tooling) holds Temporal access and the codec keys.
 */
import swagger from '@fastify/swagger';
import type { KV } from '@nats-io/kv';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { commandCatalogue, jsonSchemaOf } from '../domain/catalogue';
import { OpenCaseInput } from '../domain/case';
import type { TokenVerifier } from '../identity/verify';
import type { CaseService } from '../temporal/case-service';
import { authenticate } from './authenticate';
import { CaseAccess } from './case-access';
import { registerCaseRoutes } from './case-routes';
import { problem, problemOf, sendProblem } from './problems';
import { registerTaskRoutes } from './task-routes';
import { isWebPath, registerWebApp, type WebAppOptions } from '../web/app';

export interface GatewayDeps {
  cases: CaseService;
  inbox: KV;
  verifier: TokenVerifier;
  logger: Logger;
  /** Reuse of access answers (ms); tests shorten it. */
  accessTtlMs?: number;
  heartbeatMs?: number;
  /** The public OAuth client the CLI signs people in with. */
  cliClientId?: string;
  /** The staff web app (src/web), served from the same origin; off when absent. */
  web?: WebAppOptions;
}

/** Paths anyone may read: health, the catalogue and the API description (no case data). */
const PUBLIC = new Set(['/healthz', '/openapi.json', '/v1/commands', '/v1/policy', '/v1/auth']);
const MAX_BODY_BYTES = 256 * 1024;

export async function createGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: MAX_BODY_BYTES,
    // Requests are logged (fastify's default) with their URLs: those hold case ids and references only, never
    // personal data.
    trustProxy: false,
  });
  // zod validates every input in the handlers (one set of rules and messages for API, CLI and web);
  // the route schemas describe the API in OpenAPI and are not enforced a second time.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'case-orchestrator gateway',
        version: '1',
        description:
          'The one door to case-orchestrator. Authenticate with an OpenID Connect access token (Bearer). ' +
          'Who acts comes from the token, never from the request. Command arguments: see GET /v1/commands.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
  });
  app.addSchema({ $id: 'openCase', ...jsonSchemaOf(OpenCaseInput) });

  const access = new CaseAccess(deps.cases, deps.accessTtlMs);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC.has(path)) return;
    // The web app's pages authenticate by their server-side session, not by a bearer token.
    if (deps.web && isWebPath(path)) return;
    await authenticate(request, deps.verifier);
  });

  app.setErrorHandler((err, request, reply) => {
    const known = problemOf(err);
    if (known) return sendProblem(reply, known);
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413)
      return sendProblem(reply, problem(413, 'TOO_LARGE', `body: larger than ${MAX_BODY_BYTES} bytes`));
    if (status === 415)
      return sendProblem(reply, problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'body: send application/json'));
    if (status === 400) {
      // Fastify's own parse errors quote the body; ours never echo input.
      return sendProblem(reply, problem(400, 'INVALID_ARGUMENTS', 'body: not valid JSON'));
    }
    request.log.error({ err }, 'request failed');
    return sendProblem(reply, problem(500, 'INTERNAL', 'the request failed; it is logged for the operators'));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem(404, 'NOT_FOUND', 'no such route')));

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  // Where to sign in: the CLI and the web app ask here rather than being configured twice.
  app.get(
    '/v1/auth',
    { schema: { summary: 'Where to sign in (issuer, audience, the CLI client).', tags: ['catalogue'] } },
    async () => ({
      issuer: deps.verifier.issuer,
      audience: deps.verifier.audience,
      cliClientId: deps.cliClientId ?? 'cases-cli',
    }),
  );
  // Under the deployment's policy: vocabulary fields list its codes; `casePolicy` describes the policy file.
  const catalogue = commandCatalogue(deps.cases.policy);
  app.get(
    '/v1/commands',
    {
      schema: {
        summary: 'Every command, who may send it, when, its JSON Schema; and the case policy format (casePolicy).',
        tags: ['catalogue'],
      },
    },
    async () => catalogue,
  );
  app.get(
    '/v1/policy',
    {
      schema: {
        summary: 'The policy new cases open under: deadlines and vocabulary (CASE_POLICY_FILE over the defaults).',
        tags: ['catalogue'],
      },
    },
    async () => deps.cases.policy,
  );
  registerCaseRoutes(app, { cases: deps.cases, access });
  registerTaskRoutes(app, {
    cases: deps.cases,
    access,
    inbox: deps.inbox,
    ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const web = deps.web;
  if (web) {
    const { cases, inbox, verifier, logger } = deps;
    await app.register(async (scope) =>
      registerWebApp(scope, { ...web, gateway: app, cases, access, inbox, verifier, logger }),
    );
  }
  return app;
}
