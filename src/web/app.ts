/**
 * The staff web app, served by the gateway (createGateway's `web` option): sign-in through the identity provider,
 * the inbox (live), task forms, case pages. Server-rendered HTML with one small script of our own for live updates
 * and countdowns (progressive enhancement: every page and form works without it). Every read and every command goes
 * through the gateway's own API with the person's access token (api.ts), so the web app applies exactly the API's
 * rules. Sessions are server-side (session.ts); every POST is CSRF-protected and origin-checked (csrf.ts); every
 * page carries a strict Content-Security-Policy (no inline script or style), is never cached, and has no personal
 * data in its URL or title (case ids, task ids and references only).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Actor } from '../domain/agencies';
import { commandCatalogue } from '../domain/catalogue';
import type { StatusView } from '../domain/case-views';
import type { TimelineEntry } from '../domain/state';
import type { HumanTask } from '../domain/tasks';
import { actorOf } from '../gateway/authenticate';
import type { CaseAccess } from '../gateway/case-access';
import type { TokenVerifier } from '../identity/verify';
import type { TokenSet } from '../identity/token-endpoint';
import type { StaffDirectory } from '../mail/directory';
import type { InboxEntry } from '../notifier/inbox';
import type { CaseService } from '../temporal/case-service';
import type { ProtectionSnapshot } from '../../workflows/messages';
import { GatewayApi, seg, selfUrl, type ApiResult } from './api';
import { caseMain, caseNotFoundMain } from './case-page';
import { CaseFactsCache, type CaseFacts } from './case-facts';
import type { WebConfig } from './config';
import { checkCsrfToken, newCsrfSecret, sameOrigin } from './csrf';
import { html } from './html';
import { isCaseId, isCommandId, isTaskId } from './ids';
import { chooseLanguage, isLanguage, languageForJurisdiction, languageOf, t, type Language } from './i18n';
import { filtersOf, inboxMain, inboxRow, queryString, rowLabel } from './inbox-page';
import { eventName, taskLabel } from './labels';
import { page, type PageContext } from './layout';
import { streamLiveInbox } from './live';
import { commandSection } from './form-render';
import { errorMain, landingMain } from './pages';
import { refusalOf, type ProblemAnswer, type Refusal } from './refusals';
import {
  clearCookie,
  cookieValue,
  sessionCookieName,
  setCookie,
  signInCookieName,
  WebSessionStore,
  type Flash,
  type WebSession,
} from './session';
import { safeReturnPath, SIGN_IN_TTL_MS, WebSignIn, WebSignInError } from './sign-in';
import { APP_JS } from './static/app-script';
import { APP_CSS } from './static/app-style';
import {
  argsFromForm,
  CASE_ACTIONS,
  caseActionForms,
  commandForm,
  fieldOfDetail,
  taskForm,
  type CaseRefs,
  type FormBody,
} from './task-forms';
import { CLAIM_ACTIONS } from './task-claim';
import { taskGoneMain, taskMain } from './task-page';

export interface WebAppOptions {
  config: WebConfig;
  /** The identity provider's issuer (the gateway's verifier names it). */
  issuer: string;
  /** Language preferences of staff (optional). */
  directory?: StaffDirectory;
  /** For tests: the sign-in flow, the clock. */
  signIn?: WebSignIn;
  now?: () => number;
}

export interface WebAppDeps extends WebAppOptions {
  /** The gateway (its API is called in process). */
  gateway: FastifyInstance;
  cases: CaseService;
  access: CaseAccess;
  inbox: KV;
  verifier: TokenVerifier;
  logger: Logger;
}

/** The paths the web app answers (the gateway lets them through without a bearer token: the session decides). */
export function isWebPath(path: string): boolean {
  return path === '/' || /^\/(auth|inbox|tasks|cases|prefs|static)(\/|$)/.test(path);
}

const MAX_FORM_BYTES = 64 * 1024;
/** Renew the access token this long before it expires. */
const RENEW_EARLY_MS = 60_000;

function hashed(name: string, ext: string, content: string): { path: string; body: string; type: string } {
  const h = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return { path: `/static/${name}.${h}.${ext}`, body: content, type: ext === 'js' ? 'text/javascript' : 'text/css' };
}

function parseForm(text: string): FormBody {
  const body: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = body[k];
    if (prev === undefined) body[k] = v;
    else if (Array.isArray(prev)) {
      if (prev.length < 200) prev.push(v);
    } else body[k] = [prev, v];
  }
  return body;
}

const single = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;

export async function registerWebApp(app: FastifyInstance, deps: WebAppDeps): Promise<void> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'web' });
  const api = new GatewayApi(() => selfUrl(deps.gateway));
  const facts = new CaseFactsCache(deps.cases, now);
  const catalogue = commandCatalogue(deps.cases.policy);
  const cookies = { secure: config.cookieSecure };
  const SESSION = sessionCookieName(cookies);
  const SIGN_IN = signInCookieName(cookies);
  const ourOrigin = new URL(config.publicUrl).origin;
  const issuerOrigin = new URL(deps.issuer).origin;
  const signIn =
    deps.signIn ??
    new WebSignIn({
      issuer: deps.issuer,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUri: `${config.publicUrl}/auth/callback`,
      postLogoutRedirectUri: `${config.publicUrl}/`,
    });
  const store = new WebSessionStore({
    idleTimeoutMs: config.idleTimeoutMs,
    maxAgeMs: config.sessionMaxMs,
    maxSessions: config.maxSessions,
    now,
  });
  const css = hashed('app', 'css', APP_CSS);
  const js = hashed('app', 'js', APP_JS);
  const assets = { css: css.path, js: js.path };
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    // Sign-out posts here and is redirected to the provider's end-session page.
    `form-action 'self' ${issuerOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
    (_req, text, done) => done(null, parseForm(String(text))),
  );

  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('Content-Security-Policy', csp);
    void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('X-Frame-Options', 'DENY');
    void reply.header('Referrer-Policy', 'same-origin');
    void reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    void reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (!request.url.startsWith('/static/')) void reply.header('Cache-Control', 'no-store');
    return payload;
  });

  // ---- sessions and language ----

  const sessionId = (request: FastifyRequest) => cookieValue(request.headers.cookie, SESSION);

  /** The person's language: their choice, the directory, the provider's locale, the browser, the jurisdiction. */
  const languageFor = (request: FastifyRequest, session?: WebSession, jurisdiction?: string): Language => {
    const directory = deps.directory?.get(session?.actor.staffId)?.language;
    return chooseLanguage({
      chosen: session?.language,
      preferred: directory ?? session?.providerLanguage,
      acceptLanguage: request.headers['accept-language'],
      fallback: jurisdiction ? languageForJurisdiction(jurisdiction) : config.defaultLanguage,
    });
  };

  const ctxOf = (request: FastifyRequest, lang: Language, session?: WebSession): PageContext => ({
    lang,
    ...(session ? { session } : {}),
    path: safeReturnPath(request.url),
    assets,
  });

  const takeFlash = (session: WebSession): Flash | undefined => {
    const f = session.flash;
    delete session.flash;
    return f;
  };

  const send = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  /** Verifies an access token as the gateway does; the person's actor, or undefined. */
  const personOf = async (accessToken: string): Promise<Actor | 'not-staff' | undefined> => {
    try {
      const identity = await deps.verifier.verify(accessToken);
      if (identity.kind !== 'person' || !identity.agency || !identity.staffId) return 'not-staff';
      return actorOf(identity);
    } catch {
      return undefined;
    }
  };

  const tokensOf = (t: TokenSet, previous?: WebSession['tokens']): WebSession['tokens'] => ({
    accessToken: t.accessToken,
    accessExpiresAt: now() + (t.expiresIn ?? 300) * 1000,
    ...(t.refreshToken
      ? { refreshToken: t.refreshToken }
      : previous?.refreshToken
        ? { refreshToken: previous.refreshToken }
        : {}),
    ...(t.idToken ? { idToken: t.idToken } : previous?.idToken ? { idToken: previous.idToken } : {}),
  });

  /** Renews the session's access token when it is about to expire; false when the session must end. */
  const fresh = (session: WebSession): Promise<boolean> => {
    if (session.tokens.accessExpiresAt - RENEW_EARLY_MS > now()) return Promise.resolve(true);
    session.renewing ??= (async () => {
      try {
        const refresh = session.tokens.refreshToken;
        if (!refresh) return false;
        const renewed = await signIn.refresh(refresh);
        if (!renewed) return false;
        const actor = await personOf(renewed.accessToken);
        if (!actor || actor === 'not-staff') return false;
        session.actor = actor;
        session.tokens = tokensOf(renewed, session.tokens);
        return true;
      } finally {
        delete session.renewing;
      }
    })();
    return session.renewing;
  };

  /** The signed-in person of a page request (fresh tokens), or a redirect to sign in. */
  const requireSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ id: string; session: WebSession } | undefined> => {
    const id = sessionId(request);
    const session = store.get(id, { touch: true });
    if (session && id && (await fresh(session))) return { id, session };
    if (session && id) store.end(id);
    const back = request.method === 'GET' ? request.url : '/inbox';
    void reply.header('Set-Cookie', clearCookie(SESSION, cookies));
    await reply.redirect(`/auth/sign-in?return=${encodeURIComponent(safeReturnPath(back))}`, 303);
    return undefined;
  };

  /** The CSRF and origin checks of a POST; false (and the page said so) when they fail. */
  const formAllowed = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: WebSession,
    purpose: string,
  ): Promise<boolean> => {
    const body = (request.body ?? {}) as FormBody;
    const ok =
      sameOrigin(request.headers as Record<string, string | undefined>, ourOrigin) &&
      checkCsrfToken(session.csrfSecret, purpose, single(body._csrf));
    if (ok) return true;
    log.warn({ purpose }, 'form refused: CSRF token or origin');
    const lang = languageFor(request, session);
    await send(
      reply,
      403,
      page(ctxOf(request, lang, session), {
        title: t(lang, 'error.title'),
        main: errorMain(lang, t(lang, 'error.csrf')),
      }),
    );
    return false;
  };

  const problemPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: WebSession,
    problem: ProblemAnswer,
  ) => {
    const lang = languageFor(request, session);
    const r = refusalOf(lang, problem);
    const status = problem.status >= 400 && problem.status < 600 ? problem.status : 500;
    await send(
      reply,
      status,
      page(ctxOf(request, lang, session), {
        title: t(lang, 'error.title'),
        main: errorMain(lang, `${r.title}. ${r.message}`),
      }),
    );
  };

  app.setErrorHandler(async (err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    const lang = languageFor(request);
    if (status === 413 || status === 415 || status === 400) {
      // Fastify's own messages may quote the body: ours never echo input.
      return send(
        reply,
        status,
        page(ctxOf(request, lang), {
          title: t(lang, 'error.title'),
          main: errorMain(lang, t(lang, 'error.badRequest', { detail: String(status) })),
        }),
      );
    }
    request.log.error({ err }, 'web request failed');
    return send(
      reply,
      500,
      page(ctxOf(request, lang), { title: t(lang, 'error.title'), main: errorMain(lang, t(lang, 'error.body')) }),
    );
  });

  // ---- static assets ----

  for (const asset of [css, js]) {
    app.get(asset.path, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type(`${asset.type}; charset=utf-8`)
        .header('Cache-Control', 'public, max-age=31536000, immutable')
        .send(asset.body),
    );
  }

  // ---- sign-in and sign-out ----

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const session = store.get(sessionId(request));
    if (session) return reply.redirect('/inbox', 303);
    const asked = single((request.query as Record<string, unknown>)?.lang);
    const lang = isLanguage(asked) ? asked : languageFor(request);
    return send(reply, 200, page(ctxOf(request, lang), { title: t(lang, 'landing.title'), main: landingMain(lang) }));
  });

  app.get('/auth/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    const asked = single(q.lang);
    const start = await signIn.start(safeReturnPath(single(q.return)), isLanguage(asked) ? asked : undefined);
    void reply.header('Set-Cookie', setCookie(SIGN_IN, start.binding, SIGN_IN_TTL_MS, cookies));
    return reply.redirect(start.authorizationUrl, 303);
  });

  // Its URL carries the authorization code: fastify's request log (which records URLs) stays off here.
  app.get('/auth/callback', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      const s = single(v);
      if (s !== undefined && ['code', 'state', 'iss', 'error'].includes(k)) query.set(k, s.slice(0, 4096));
    }
    const lang = languageFor(request);
    const fail = (status: number, message: string) =>
      send(
        reply.header('Set-Cookie', clearCookie(SIGN_IN, cookies)),
        status,
        page(ctxOf(request, lang), {
          title: t(lang, 'error.title'),
          main: errorMain(lang, message, { signInAgain: true }),
        }),
      );
    let done;
    try {
      done = await signIn.complete(query, cookieValue(request.headers.cookie, SIGN_IN));
    } catch (err) {
      if (!(err instanceof WebSignInError)) throw err;
      log.info({ reason: err.reason }, 'sign-in not completed');
      return fail(err.status, t(lang, 'error.signIn', { reason: err.reason }));
    }
    const actor = await personOf(done.tokens.accessToken);
    if (actor === 'not-staff') return fail(403, t(lang, 'error.notStaff'));
    if (!actor) return fail(401, t(lang, 'error.signIn', { reason: 'token' }));
    const providerLanguage = languageOf(done.locale);
    const { id } = store.create({
      actor,
      tokens: tokensOf(done.tokens),
      csrfSecret: newCsrfSecret(),
      ...(done.language ? { language: done.language } : {}),
      ...(providerLanguage ? { providerLanguage } : {}),
    });
    log.info({ staffId: actor.staffId, agency: actor.agency }, 'signed in');
    void reply.header('Set-Cookie', [
      clearCookie(SIGN_IN, cookies),
      setCookie(SESSION, id, config.sessionMaxMs, cookies),
    ]);
    return reply.redirect(done.returnTo, 303);
  });

  app.post('/auth/sign-out', { schema: { hide: true } }, async (request, reply) => {
    const id = sessionId(request);
    const session = store.get(id);
    if (!session) return reply.header('Set-Cookie', clearCookie(SESSION, cookies)).redirect('/', 303);
    if (!(await formAllowed(request, reply, session, 'sign-out'))) return reply;
    store.end(id);
    log.info({ staffId: session.actor.staffId }, 'signed out');
    if (session.tokens.refreshToken) await signIn.revoke(session.tokens.refreshToken);
    const providerLogout = await signIn.endSessionUrl(session.tokens.idToken);
    void reply.header('Set-Cookie', clearCookie(SESSION, cookies));
    return reply.redirect(providerLogout ?? '/', 303);
  });

  app.post('/prefs/language', { schema: { hide: true } }, async (request, reply) => {
    const s = await requireSession(request, reply);
    if (!s) return reply;
    if (!(await formAllowed(request, reply, s.session, 'language'))) return reply;
    const body = request.body as FormBody;
    const chosen = single(body.language);
    if (isLanguage(chosen)) s.session.language = chosen;
    return reply.redirect(safeReturnPath(single(body.return)), 303);
  });

  // ---- the inbox ----

  const factsFor = async (actor: Actor, entries: readonly InboxEntry[]): Promise<Map<string, CaseFacts>> => {
    const byCase = new Map<string, string | undefined>();
    for (const e of entries) {
      if (!byCase.has(e.caseId) || (e.kind === 'decide-warrant' && e.ref)) {
        byCase.set(e.caseId, e.kind === 'decide-warrant' ? e.ref : byCase.get(e.caseId));
      }
    }
    const out = new Map<string, CaseFacts>();
    await Promise.all(
      [...byCase].map(async ([caseId, warrant]) => {
        const f = await facts.get(actor, caseId, warrant).catch(() => undefined);
        if (f) out.set(caseId, f);
      }),
    );
    return out;
  };

  const rowContext = (session: WebSession, lang: Language) => ({
    lang,
    actor: session.actor,
    csrfSecret: session.csrfSecret,
    now: now(),
    defaultZone: config.defaultTimeZone,
  });

  app.get('/inbox', { schema: { hide: true } }, async (request, reply) => {
    const s = await requireSession(request, reply);
    if (!s) return reply;
    const { session } = s;
    const lang = languageFor(request, session);
    const { filters } = filtersOf(request.query);
    const token = session.tokens.accessToken;
    const [chosen, all] = await Promise.all([
      api.call<InboxEntry[]>(token, 'GET', `/v1/inbox${queryString(filters)}`),
      Object.keys(filters).length > 0 ? api.call<InboxEntry[]>(token, 'GET', '/v1/inbox') : undefined,
    ]);
    let problem;
    let entries: InboxEntry[] = [];
    if (chosen.ok) entries = chosen.value;
    else {
      const r = refusalOf(lang, chosen.problem);
      problem = html`<div class="notice err" role="alert" id="notice">
        <h2>${r.title}</h2>
        <p>${r.message}</p>
      </div>`;
    }
    const caseIds = [...new Set(((all?.ok ? all.value : undefined) ?? entries).map((e) => e.caseId))];
    const factsByCase = await factsFor(session.actor, entries);
    const rows = entries.map((entry) => ({ entry, facts: factsByCase.get(entry.caseId) }));
    const main = inboxMain(rowContext(session, lang), {
      rows: rows.map((r) => (r.facts ? { entry: r.entry, facts: r.facts } : { entry: r.entry })),
      filters: chosen.ok ? filters : {},
      caseIds,
      ...(problem ? { problem } : {}),
    });
    const flash = takeFlash(session);
    return send(
      reply,
      chosen.ok ? 200 : chosen.problem.status,
      page(ctxOf(request, lang, session), {
        title: t(lang, 'inbox.title'),
        main,
        count: entries.length,
        ...(flash ? { flash } : {}),
      }),
    );
  });

  app.get('/inbox/events', { schema: { hide: true } }, async (request, reply) => {
    const id = sessionId(request);
    const session = store.get(id);
    // An EventSource cannot follow a sign-in: a plain 401 closes it, and the page says so.
    if (!session || !id || !(await fresh(session))) return reply.code(401).type('text/plain').send('sign in again');
    const { filters, unknown } = filtersOf(request.query);
    const lang = languageFor(request, session);
    const token = session.tokens.accessToken;
    const check = await api.call<InboxEntry[]>(token, 'GET', `/v1/inbox${queryString(filters)}`);
    if (unknown || !check.ok) return reply.code(400).type('text/plain').send('invalid filters');
    let first = true;
    await streamLiveInbox({
      request,
      reply,
      inbox: deps.inbox,
      access: deps.access,
      facts,
      actor: session.actor,
      filters,
      initial: async () => {
        if (first) {
          first = false;
          return check.value;
        }
        const again = await api.call<InboxEntry[]>(token, 'GET', `/v1/inbox${queryString(filters)}`);
        return again.ok ? again.value : [];
      },
      render: (entry, f) => ({ label: rowLabel(lang, entry, f), html: inboxRow(rowContext(session, lang), entry, f) }),
      alive: () => store.isLive(id),
      heartbeatMs: config.heartbeatMs,
    });
    return reply;
  });

  // ---- tasks ----

  /** The open task `taskId` as the person's inbox holds it, with its case's facts; undefined if there is none. */
  const findTask = async (session: WebSession, taskId: string) => {
    if (!isTaskId(taskId)) return undefined;
    const inbox = await api.call<InboxEntry[]>(session.tokens.accessToken, 'GET', '/v1/inbox');
    if (!inbox.ok) return undefined;
    const task = inbox.value.find((e) => e.id === taskId);
    if (!task) return undefined;
    const view = await api.call<StatusView>(session.tokens.accessToken, 'GET', `/v1/cases/${seg(task.caseId)}`);
    if (!view.ok) return undefined;
    const f = await facts
      .get(session.actor, task.caseId, task.kind === 'decide-warrant' ? task.ref : undefined)
      .catch((): CaseFacts => ({
        ...(view.value.jurisdiction ? { jurisdiction: view.value.jurisdiction } : {}),
        warrantKinds: {},
      }));
    return { task, view: view.value, facts: f };
  };

  const refsOf = (view: StatusView): CaseRefs => {
    const v = view as Record<string, unknown>;
    const refs = (key: string) => ((v[key] as { ref: string }[] | undefined) ?? []).map((x) => x.ref);
    return {
      S: refs('suspects'),
      V: refs('victims'),
      WT: refs('witnesses'),
      L: refs('locations'),
      W: refs('warrants'),
      R: refs('raids'),
      A: refs('arrests'),
    };
  };

  const renderTask = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: WebSession,
    found: NonNullable<Awaited<ReturnType<typeof findTask>>>,
    status = 200,
    failure?: Parameters<typeof taskMain>[0]['failure'],
  ) => {
    const lang = languageFor(request, session, found.facts.jurisdiction);
    const form = taskForm(found.task, catalogue, session.actor, refsOf(found.view));
    const main = taskMain({
      lang,
      actor: session.actor,
      csrfSecret: session.csrfSecret,
      now: now(),
      defaultZone: config.defaultTimeZone,
      task: found.task,
      facts: found.facts,
      form,
      ...(failure ? { failure } : {}),
    });
    const flash = takeFlash(session);
    return send(
      reply,
      status,
      page(ctxOf(request, lang, session), {
        title: taskLabel(lang, found.task, found.facts),
        main,
        ...(flash ? { flash } : {}),
      }),
    );
  };

  const taskGone = (request: FastifyRequest, reply: FastifyReply, session: WebSession, taskId: string) => {
    const lang = languageFor(request, session);
    const shown = isTaskId(taskId) ? taskId : '';
    return send(
      reply,
      404,
      page(ctxOf(request, lang, session), { title: t(lang, 'task.gone.title'), main: taskGoneMain(lang, shown) }),
    );
  };

  app.get<{ Params: { taskId: string } }>('/tasks/:taskId', { schema: { hide: true } }, async (request, reply) => {
    const s = await requireSession(request, reply);
    if (!s) return reply;
    const found = await findTask(s.session, request.params.taskId);
    if (!found) return taskGone(request, reply, s.session, request.params.taskId);
    return renderTask(request, reply, s.session, found);
  });

  const commandIdOf = (body: FormBody): string => {
    const given = single(body.commandId);
    return isCommandId(given) ? given : randomUUID();
  };

  app.post<{ Params: { taskId: string } }>('/tasks/:taskId', { schema: { hide: true } }, async (request, reply) => {
    const s = await requireSession(request, reply);
    if (!s) return reply;
    const { session } = s;
    if (!(await formAllowed(request, reply, session, 'task'))) return reply;
    const found = await findTask(session, request.params.taskId);
    if (!found) return taskGone(request, reply, session, request.params.taskId);
    const body = (request.body ?? {}) as FormBody;
    const form = taskForm(found.task, catalogue, session.actor, refsOf(found.view));
    const command = form.commands.find((c) => c.command === single(body.command));
    if (!command) return renderTask(request, reply, session, found, 400);
    const commandId = commandIdOf(body);
    const args = argsFromForm(command, body);
    const token = session.tokens.accessToken;
    const result: ApiResult<unknown> =
      command.command === 'completeTask'
        ? await api.call(token, 'POST', `/v1/tasks/${seg(found.task.id)}/complete`, {
            ...(typeof args.outcome === 'string' ? { outcome: args.outcome } : {}),
            commandId,
          })
        : await api.call(token, 'POST', `/v1/cases/${seg(found.task.caseId)}/commands/${seg(command.command)}`, {
            args,
            commandId,
          });
    const lang = languageFor(request, session, found.facts.jurisdiction);
    if (result.ok) {
      const label = taskLabel(lang, found.task, found.facts);
      session.flash = {
        kind: 'success',
        text: `${t(lang, 'task.done', { label })} ${eventName(lang, command.command)}.`,
      };
      log.info({ staffId: session.actor.staffId, command: command.command, taskId: found.task.id }, 'task form sent');
      return reply.redirect('/inbox', 303);
    }
    const refusal = refusalOf(lang, result.problem, { command: command.command, who: command.who });
    const field =
      result.problem.code === 'INVALID_ARGUMENTS' ? fieldOfDetail(command, result.problem.detail) : undefined;
    return renderTask(request, reply, session, found, result.problem.status, {
      command: command.command,
      refusal,
      ...(field ? { field } : {}),
    });
  });

  // Claim a task, or give a claimed one back: the same form, the gateway's task routes.
  for (const action of CLAIM_ACTIONS) {
    app.post<{ Params: { taskId: string } }>(
      `/tasks/:taskId/${action}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const s = await requireSession(request, reply);
        if (!s) return reply;
        const { session } = s;
        if (!(await formAllowed(request, reply, session, action))) return reply;
        const taskId = request.params.taskId;
        if (!isTaskId(taskId)) return taskGone(request, reply, session, taskId);
        const body = (request.body ?? {}) as FormBody;
        const result = await api.call<{ task: HumanTask }>(
          session.tokens.accessToken,
          'POST',
          `/v1/tasks/${seg(taskId)}/${action}`,
          { commandId: commandIdOf(body) },
        );
        const lang = languageFor(request, session);
        const back = single(body.return) === 'task' ? `/tasks/${seg(taskId)}` : '/inbox';
        if (result.ok) {
          const f = await facts.get(session.actor, result.value.task.caseId).catch(() => undefined);
          const label = taskLabel(lang, result.value.task, f);
          session.flash = { kind: 'success', text: t(lang, `task.${action}ed`, { label }) };
        } else {
          const r = refusalOf(lang, result.problem, { command: `${action}Task` });
          session.flash = { kind: 'error', text: `${r.title}. ${r.message}` };
        }
        return reply.redirect(back, 303);
      },
    );
  }

  // ---- cases ----

  const caseNotFound = (request: FastifyRequest, reply: FastifyReply, session: WebSession, caseId: string) => {
    const lang = languageFor(request, session);
    const shown = isCaseId(caseId) ? caseId : '';
    return send(
      reply,
      404,
      page(ctxOf(request, lang, session), {
        title: t(lang, 'case.notFound.title'),
        main: caseNotFoundMain(lang, shown),
      }),
    );
  };

  /** The case page; `failure` after a refused action, with the status the API answered. */
  const renderCase = async (
    request: FastifyRequest,
    reply: FastifyReply,
    session: WebSession,
    caseId: string,
    failure?: { command: string; refusal: Refusal; field?: string; status: number },
  ) => {
    if (!isCaseId(caseId)) return caseNotFound(request, reply, session, caseId);
    const token = session.tokens.accessToken;
    const [view, timeline, tasks] = await Promise.all([
      api.call<StatusView>(token, 'GET', `/v1/cases/${seg(caseId)}`),
      api.call<TimelineEntry[]>(token, 'GET', `/v1/cases/${seg(caseId)}/timeline`),
      api.call<InboxEntry[]>(token, 'GET', `/v1/inbox?caseId=${seg(caseId)}`),
    ]);
    if (!view.ok) {
      // A case the person may not know of answers 404 exactly like one that does not exist: the same page.
      if (view.problem.status === 404) return caseNotFound(request, reply, session, caseId);
      return problemPage(request, reply, session, view.problem);
    }
    const victims = (
      (view.value as { victims?: { ref: string; inProtectiveCustody?: boolean }[] }).victims ?? []
    ).filter((v) => v.inProtectiveCustody);
    const protections: ProtectionSnapshot[] = [];
    if (['CHILD_PROTECTION', 'PROSECUTION', 'OVERSIGHT'].includes(session.actor.agency)) {
      const answers = await Promise.all(
        victims.map((v) =>
          api.call<ProtectionSnapshot>(token, 'GET', `/v1/cases/${seg(caseId)}/protection/${seg(v.ref)}`),
        ),
      );
      for (const a of answers) if (a.ok) protections.push(a.value);
    }
    const f: CaseFacts = {
      ...(view.value.jurisdiction ? { jurisdiction: view.value.jurisdiction } : {}),
      warrantKinds: {},
    };
    for (const w of (view.value as { warrants?: { ref: string; kind: string }[] }).warrants ?? [])
      f.warrantKinds[w.ref] = w.kind;
    const lang = languageFor(request, session, view.value.jurisdiction);
    const forms = caseActionForms(catalogue, session.actor, view.value.stage, refsOf(view.value));
    const actions = forms.length
      ? html`${forms.map((form, i) =>
          commandSection({
            lang,
            csrfSecret: session.csrfSecret,
            action: `/cases/${seg(caseId)}`,
            csrfPurpose: 'case',
            form,
            prefix: `action${i}`,
            ...(failure?.command === form.command ? { failure } : {}),
          }),
        )}`
      : undefined;
    const main = caseMain({
      lang,
      actor: session.actor,
      now: now(),
      defaultZone: config.defaultTimeZone,
      caseId,
      view: view.value,
      timeline: timeline.ok ? timeline.value : [],
      tasks: tasks.ok ? tasks.value : [],
      protections,
      facts: f,
      ...(actions ? { actions } : {}),
    });
    const flash = takeFlash(session);
    return send(
      reply,
      failure?.status ?? 200,
      page(ctxOf(request, lang, session), {
        title: t(lang, 'case.title', { caseId }),
        main,
        ...(flash ? { flash } : {}),
      }),
    );
  };

  app.get<{ Params: { caseId: string } }>('/cases/:caseId', { schema: { hide: true } }, async (request, reply) => {
    const s = await requireSession(request, reply);
    if (!s) return reply;
    return renderCase(request, reply, s.session, request.params.caseId);
  });

  app.post<{ Params: { caseId: string } }>('/cases/:caseId', { schema: { hide: true } }, async (request, reply) => {
    const s = await requireSession(request, reply);
    if (!s) return reply;
    const { session } = s;
    if (!(await formAllowed(request, reply, session, 'case'))) return reply;
    const caseId = request.params.caseId;
    if (!isCaseId(caseId)) return caseNotFound(request, reply, session, caseId);
    const body = (request.body ?? {}) as FormBody;
    const view = await api.call<StatusView>(session.tokens.accessToken, 'GET', `/v1/cases/${seg(caseId)}`);
    if (!view.ok)
      return view.problem.status === 404
        ? caseNotFound(request, reply, session, caseId)
        : problemPage(request, reply, session, view.problem);
    const name = single(body.command);
    const entry = catalogue.find((c) => c.name === name && (CASE_ACTIONS as readonly string[]).includes(c.name));
    if (!entry) return renderCase(request, reply, session, caseId);
    // The model is built again here, never taken from the form: a hidden field cannot add arguments.
    const form = commandForm(entry, session.actor, refsOf(view.value));
    const result = await api.call<{ result: Record<string, unknown> }>(
      session.tokens.accessToken,
      'POST',
      `/v1/cases/${seg(caseId)}/commands/${seg(entry.name)}`,
      { args: argsFromForm(form, body), commandId: commandIdOf(body) },
    );
    const lang = languageFor(request, session, view.value.jurisdiction);
    if (result.ok) {
      const refs = Object.entries(result.value.result ?? {})
        .filter(([k, v]) => /Ref$/.test(k) && typeof v === 'string')
        .map(([, v]) => String(v));
      session.flash = {
        kind: 'success',
        text: `${eventName(lang, entry.name)}${refs.length ? `: ${refs.join(', ')}` : ''}.`,
      };
      log.info({ staffId: session.actor.staffId, command: entry.name, caseId }, 'case form sent');
      return reply.redirect(`/cases/${seg(caseId)}`, 303);
    }
    const refusal = refusalOf(lang, result.problem, { command: entry.name, who: entry.who });
    const field = result.problem.code === 'INVALID_ARGUMENTS' ? fieldOfDetail(form, result.problem.detail) : undefined;
    return renderCase(request, reply, session, caseId, {
      command: entry.name,
      refusal,
      status: result.problem.status,
      ...(field ? { field } : {}),
    });
  });
}
