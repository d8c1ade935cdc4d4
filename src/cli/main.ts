/**
 * `cases`: the agencies' command line, a thin layer over the typed client (src/client), which speaks to the
 * gateway with an OIDC access token. JSON in (files or --args), readable tables or --json out, and exit
 * codes scripts can trust: 0 done, 1 not found or unavailable, 2 invalid input, 3 refused by the case rules,
 * 4 not signed in or not permitted. Admin verbs (setup, dead-letters) talk to NATS with admin credentials.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CasesClient, type TokenSource } from '../client/cases-client';
import {
  AccessDeniedError,
  CaseNotFoundError,
  CommandRefusedError,
  InvalidInputError,
  ServiceUnavailableError,
} from '../client/errors';
import {
  ClientCredentialsTokens,
  devAccountLogin,
  fetchAuthConfig,
  loginKey,
  readDevSecrets,
  StoredTokens,
  storedLoginOf,
  TokenStore,
  tokenFilePath,
  type AuthConfig,
} from '../client/tokens';
import { ConfigError, loadConfig } from '../config';
import { commandCatalogue, lifecycle, type CatalogueEntry } from '../domain/catalogue';
import { isCaseCommand } from '../domain/commands';
import { EVENT_CATALOG } from '../domain/events';
import { deviceFlow } from '../identity/dev-login';
import { parseJsonText } from '../json-text';
import { keyValues, table } from './format';
import { runNatsVerb } from './nats-verbs';
import { renderPolicy, renderStatus, renderTimeline, taskTable } from './render';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: Record<string, string | undefined>;
}

const USAGE = `usage: cases <verb> [options]
signing in (the gateway at CASES_GATEWAY_URL, default http://127.0.0.1:8700):
  cases login --device                            a person: sign in in a browser with the printed code
  cases login --client-id ID [--client-secret-file F]   an agency system (or CASES_CLIENT_ID/_SECRET in the env)
  cases login --as ACCOUNT                        development only: a dev account of the embedded provider
  cases logout | whoami
cases (who acts comes from your token):
  cases open --file case.json                     open a case (PROSECUTION; idempotent)
  cases status <caseId> | timeline <caseId>       what your agency may see of a case
  cases list [--stage S] [--agency A] [--jurisdiction J]
  cases protection <caseId> <victimRef>           a rescued minor's protection steps
  cases policy [<caseId>]                         the policy new cases open under, or a case's (deadlines, vocabulary)
  cases <command> <caseId> [--file args.json | --args '{...}'] [--command-id ID]
  cases task claim|unclaim|complete <taskId> [--outcome code] [--command-id ID]
  cases inbox [--mine] [--unassigned] [--overdue] [--due-within H] [--case ID] [--kind K]
  cases watch                                     your task notifications, live, until Ctrl-C
  cases commands | events                         the command and event catalogues, the vocabulary (no sign-in needed)
admin (NATS admin credentials):
  cases setup [--auth-config nats.conf]           provision streams, consumers, buckets (idempotent)
  cases dead-letters [replay] [--agency A] [--since T]
options: --json (machine-readable output), --as ACCOUNT (development), --help`;

const MAX_INPUT_BYTES = 256 * 1024;

const CliEnv = z.object({
  CASES_GATEWAY_URL: z.string().url('must be a URL such as https://gateway.example').default('http://127.0.0.1:8700'),
  CASES_CLIENT_ID: z.string().min(1).optional(),
  CASES_CLIENT_SECRET: z.string().min(1).optional(),
  CASES_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
});
type CliEnv = z.infer<typeof CliEnv>;

const OPTIONS = {
  file: { type: 'string' },
  args: { type: 'string' },
  as: { type: 'string' },
  json: { type: 'boolean', default: false },
  'command-id': { type: 'string' },
  outcome: { type: 'string' },
  stage: { type: 'string' },
  agency: { type: 'string' },
  jurisdiction: { type: 'string' },
  staff: { type: 'string' },
  mine: { type: 'boolean' },
  unassigned: { type: 'boolean' },
  overdue: { type: 'boolean' },
  'due-within': { type: 'string' },
  case: { type: 'string' },
  kind: { type: 'string' },
  since: { type: 'string' },
  device: { type: 'boolean' },
  'client-id': { type: 'string' },
  'client-secret-file': { type: 'string' },
  'auth-config': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseCli>['values'];

function parseCli(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
}

interface Context {
  io: CliIo;
  env: Record<string, string | undefined>;
  settings: CliEnv;
  values: Values;
  rest: string[];
  print: (human: string, data: unknown) => void;
  client: () => Promise<CasesClient>;
}

type Verb = (ctx: Context) => Promise<number>;

/** Reads --file or --args as JSON. Errors name the flag, never the content (it may hold names). */
function readJsonArg(values: Pick<Values, 'file' | 'args'>): unknown {
  if (values.file && values.args) throw new InvalidInputError('--file and --args: give one, not both');
  const flag = values.file ? '--file' : '--args';
  let text = values.args;
  if (values.file) {
    try {
      text = readFileSync(values.file, 'utf8');
    } catch {
      throw new InvalidInputError(`--file: cannot read ${values.file}`);
    }
  }
  if (text === undefined) return {};
  if (Buffer.byteLength(text) > MAX_INPUT_BYTES)
    throw new InvalidInputError(`${flag}: larger than ${MAX_INPUT_BYTES} bytes`);
  return parseJsonText(text, flag, (message) => new InvalidInputError(message));
}

function needs(ctx: Context, n: number, what: string): void {
  if (ctx.rest.length < n) throw new InvalidInputError(`missing ${what}\n${USAGE}`);
}

function secretOf(settings: CliEnv, values: Values): string | undefined {
  const file = values['client-secret-file'] ?? settings.CASES_CLIENT_SECRET_FILE;
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      throw new InvalidInputError(`client secret file: cannot read ${file}`);
    }
  }
  return settings.CASES_CLIENT_SECRET;
}

/** Where this invocation's tokens come from: --as (dev), client credentials in the env, or `cases login`. */
async function tokenSource(ctx: Context, auth: () => Promise<AuthConfig>): Promise<TokenSource> {
  const gateway = ctx.settings.CASES_GATEWAY_URL;
  const store = new TokenStore(tokenFilePath(ctx.env));
  if (ctx.values.as) {
    const account = ctx.values.as;
    const login = devAccountLogin(await auth(), account, readDevSecrets(ctx.settings.DATA_DIR).devPassword);
    const key = loginKey(gateway, account);
    if (!store.get(key))
      store.put(key, storedLoginOf(await auth(), gateway, await login(), (await auth()).cliClientId));
    return new StoredTokens(store, key, login);
  }
  if (ctx.settings.CASES_CLIENT_ID) {
    const secret = secretOf(ctx.settings, ctx.values);
    if (!secret)
      throw new InvalidInputError('CASES_CLIENT_ID is set: also set CASES_CLIENT_SECRET or CASES_CLIENT_SECRET_FILE');
    return new ClientCredentialsTokens(await auth(), ctx.settings.CASES_CLIENT_ID, secret);
  }
  return new StoredTokens(store, loginKey(gateway));
}

const login: Verb = async (ctx) => {
  const gateway = ctx.settings.CASES_GATEWAY_URL;
  const auth = await fetchAuthConfig(gateway);
  const store = new TokenStore(tokenFilePath(ctx.env));
  const save = (t: Parameters<typeof storedLoginOf>[2], clientId: string, who: string) => {
    store.put(loginKey(gateway), storedLoginOf(auth, gateway, t, clientId));
    ctx.print(`signed in ${who} at ${gateway} (tokens in ${store.file}, readable by you alone)`, { gateway, who });
    return 0;
  };
  if (ctx.values.as) {
    const t = await devAccountLogin(auth, ctx.values.as, readDevSecrets(ctx.settings.DATA_DIR).devPassword)();
    return save(t, auth.cliClientId, `as dev account ${ctx.values.as}`);
  }
  const clientId = ctx.values['client-id'] ?? ctx.settings.CASES_CLIENT_ID;
  if (clientId) {
    const secret = secretOf(ctx.settings, ctx.values);
    if (!secret) throw new InvalidInputError('--client-id: also give --client-secret-file or CASES_CLIENT_SECRET');
    const t = await new ClientCredentialsTokens(auth, clientId, secret).token();
    return save({ accessToken: t, tokenType: 'Bearer', expiresIn: 300 }, clientId, `as client ${clientId}`);
  }
  if (!ctx.values.device)
    throw new InvalidInputError('login: give --device (a person), --client-id (a system) or --as (dev)');
  const flow = await deviceFlow({ issuer: auth.issuer, clientId: auth.cliClientId, audience: auth.audience });
  ctx.io.err(`open ${flow.verificationUriComplete ?? flow.verificationUri} and enter the code ${flow.userCode}`);
  return save(await flow.poll(), auth.cliClientId, 'with your account');
};

const logout: Verb = async (ctx) => {
  const removed = new TokenStore(tokenFilePath(ctx.env)).remove();
  ctx.print(`signed out (${removed} stored sign-ins removed)`, { removed });
  return 0;
};

const whoami: Verb = async (ctx) => {
  const token = await (await tokenSource(ctx, () => fetchAuthConfig(ctx.settings.CASES_GATEWAY_URL))).token();
  // For display only: the gateway verifies every token it receives.
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  const who = {
    subject: claims.sub,
    agency: claims.agency,
    staffId: claims.staff_id,
    roles: claims.roles,
    client: claims.azp ?? claims.client_id,
    expires: typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : undefined,
  };
  ctx.print(keyValues(who), who);
  return 0;
};

const open: Verb = async (ctx) => {
  if (!ctx.values.file && !ctx.values.args) throw new InvalidInputError('open: --file case.json is required');
  const result = await (await ctx.client()).open(readJsonArg(ctx.values));
  ctx.print(
    result.created
      ? `opened case ${result.caseId} (workflow ${result.workflowId})`
      : result.endedAs
        ? `case ${result.caseId} is ${result.endedAs}; a case id is never reused: nothing changed`
        : `case ${result.caseId} is already open (workflow ${result.workflowId}); nothing changed`,
    result,
  );
  return 0;
};

const status: Verb = async (ctx) => {
  needs(ctx, 1, '<caseId>');
  const s = await (await ctx.client()).status(ctx.rest[0]!);
  ctx.print(renderStatus(s), s);
  return 0;
};

const timeline: Verb = async (ctx) => {
  needs(ctx, 1, '<caseId>');
  const t = await (await ctx.client()).timeline(ctx.rest[0]!);
  ctx.print(renderTimeline(t), t);
  return 0;
};

const list: Verb = async (ctx) => {
  const { stage, agency, jurisdiction } = ctx.values;
  const items = await (await ctx.client()).list({ stage, agency, jurisdiction });
  ctx.print(
    table(items as unknown as Record<string, unknown>[], [
      'caseId',
      'stage',
      'jurisdiction',
      'priority',
      'status',
      'startTime',
    ]),
    items,
  );
  return 0;
};

const protection: Verb = async (ctx) => {
  needs(ctx, 2, '<caseId> <victimRef>');
  const p = await (await ctx.client()).protection(ctx.rest[0]!, ctx.rest[1]!);
  const milestones = table(Object.entries(p.milestones).map(([m, v]) => ({ milestone: m, ...v })));
  ctx.print(
    `${keyValues({ caseId: p.caseId, victim: p.victimRef, custody: p.custodyRef })}\n\nmilestones:\n${milestones}\n\nopen tasks:\n${taskTable(p.openTasks)}`,
    p,
  );
  return 0;
};

const task: Verb = async (ctx) => {
  needs(ctx, 2, 'claim|unclaim|complete <taskId>');
  const action = ctx.rest[0];
  if (action !== 'claim' && action !== 'unclaim' && action !== 'complete') {
    throw new InvalidInputError('task: the action is claim, unclaim or complete');
  }
  const outcome = ctx.values.outcome;
  const r = await (await ctx.client()).task(action, ctx.rest[1]!, outcome ? { outcome } : {}, commandIdOpt(ctx.values));
  ctx.print(
    `task ${r.task.id} ${r.task.status}${r.task.staffId ? ` (staff ${r.task.staffId})` : ''}\ncommandId  ${r.commandId}`,
    r,
  );
  return 0;
};

const inbox: Verb = async (ctx) => {
  const v = ctx.values;
  const hours = v['due-within'] === undefined ? undefined : Number(v['due-within']);
  if (hours !== undefined && !(Number.isInteger(hours) && hours > 0 && hours < 10_000)) {
    throw new InvalidInputError('--due-within: a whole number of hours, such as 24');
  }
  const now = Date.now();
  const tasks = await (
    await ctx.client()
  ).inbox({
    mine: v.mine,
    unassigned: v.unassigned,
    overdue: v.overdue,
    dueWithinHours: hours,
    caseId: v.case,
    kind: v.kind,
  });
  const rows = tasks.map((t) => ({
    id: t.id,
    status: t.status,
    staff: t.staffId,
    due: t.dueAt,
    overdue: Date.parse(t.dueAt) < now ? 'OVERDUE' : '',
    escalated: t.escalated ? 'yes' : '',
    title: t.title,
  }));
  ctx.print(table(rows), tasks);
  return 0;
};

const watch: Verb = async (ctx) => {
  const client = await ctx.client();
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  ctx.io.err('watching your task notifications (Ctrl-C to stop)');
  await client.events((type, entry) => {
    ctx.print(`${new Date().toISOString()}  ${type.padEnd(11)}  ${entry.id}  due ${entry.dueAt}  ${entry.title}`, {
      type,
      entry,
    });
  }, stop.signal);
  return 0;
};

/** The gateway's catalogue (under its deployment's policy), or the built-in one when no gateway answers. */
async function catalogueOf(ctx: Context): Promise<CatalogueEntry[]> {
  try {
    return await new CasesClient({
      gatewayUrl: ctx.settings.CASES_GATEWAY_URL,
      tokens: NO_TOKENS,
      attempts: 1,
    }).commands();
  } catch {
    ctx.io.err(`cases: no gateway at ${ctx.settings.CASES_GATEWAY_URL}: the built-in catalogue and default vocabulary`);
    return commandCatalogue();
  }
}

/** The catalogue is public: it is asked for without a token. */
const NO_TOKENS = { token: () => Promise.reject(new Error('no token needed')) };

const commands: Verb = async (ctx) => {
  const all = await catalogueOf(ctx);
  const commandsTable = table(
    all.filter((c) => c.kind !== 'policy').map((c) => ({ command: c.name, who: c.whoText, summary: c.summary })),
  );
  const vocabulary = all.find((c) => c.kind === 'policy')?.values?.vocabulary;
  const vocabularyText = vocabulary
    ? `\n\nvocabulary (codes the case policy allows; cases policy <caseId> for a case's own):\n${keyValues(
        Object.fromEntries(Object.entries(vocabulary).map(([list, codes]) => [list, codes.join(', ')])),
      )}`
    : '';
  ctx.print(
    `${commandsTable}${vocabularyText}\n\nlifecycle (stage moves and the commands that make them):\n${table(lifecycle() as unknown as Record<string, unknown>[])}`,
    all,
  );
  return 0;
};

/** The deployment's policy (no sign-in needed), or a case's (your agency must be able to read the case). */
const policy: Verb = async (ctx) => {
  const caseId = ctx.rest[0];
  const p = caseId
    ? await (await ctx.client()).policy(caseId)
    : await new CasesClient({ gatewayUrl: ctx.settings.CASES_GATEWAY_URL, tokens: NO_TOKENS, attempts: 1 }).policy();
  ctx.print(renderPolicy(p, caseId), p);
  return 0;
};

const events: Verb = async (ctx) => {
  const rows = Object.entries(EVENT_CATALOG).map(([type, spec]) => ({
    type,
    subject: `cases.<RECIPIENT>.${type}`,
    receivers: 'dynamic' in spec && spec.dynamic ? ['task assignee (+ escalation targets)'] : Object.keys(spec.to),
    views: spec.to,
    summary: spec.summary,
  }));
  ctx.print(table(rows.map((r) => ({ type: r.type, receivers: r.receivers, summary: r.summary }))), rows);
  return 0;
};

const natsVerb =
  (verb: 'setup' | 'dead-letters'): Verb =>
  async (ctx) =>
    runNatsVerb(verb, loadConfig(ctx.env), ctx.values, ctx.print, ctx.rest);

function commandIdOpt(values: Values): { commandId?: string } {
  return values['command-id'] ? { commandId: values['command-id'] } : {};
}

/** Any case command: `cases approveWarrant <caseId> --args '{...}'`. */
const caseCommand =
  (name: string): Verb =>
  async (ctx) => {
    needs(ctx, 1, '<caseId>');
    const r = await (await ctx.client()).command(ctx.rest[0]!, name, readJsonArg(ctx.values), commandIdOpt(ctx.values));
    ctx.print(`${name} done\n${keyValues({ ...r.result, commandId: r.commandId })}`, r);
    return 0;
  };

const VERBS: Record<string, Verb> = {
  login,
  logout,
  whoami,
  open,
  status,
  timeline,
  list,
  protection,
  policy,
  task,
  inbox,
  watch,
  commands,
  events,
  setup: natsVerb('setup'),
  'dead-letters': natsVerb('dead-letters'),
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCli(argv);
  const [verb, ...rest] = positionals;
  if (!verb || values.help) {
    io.out(USAGE);
    return verb || values.help ? 0 : 2;
  }
  const env = io.env ?? process.env;
  const parsedEnv = CliEnv.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsedEnv.success) {
    throw new ConfigError(parsedEnv.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const settings = parsedEnv.data;
  let client: CasesClient | undefined;
  let authConfig: Promise<AuthConfig> | undefined;
  const ctx: Context = {
    io,
    env,
    settings,
    values,
    rest,
    print: (human, data) => io.out(values.json ? JSON.stringify(data, null, 2) : human),
    client: async () => {
      // The gateway's sign-in settings first, awaited: a gateway that is down is reported as such (exit 1) before
      // any token is looked at (an unawaited request failed as an unhandled rejection, with a stack trace).
      const auth = await (authConfig ??= fetchAuthConfig(settings.CASES_GATEWAY_URL));
      client ??= new CasesClient({
        gatewayUrl: settings.CASES_GATEWAY_URL,
        tokens: await tokenSource(ctx, () => Promise.resolve(auth)),
      });
      return client;
    },
  };
  const handler = VERBS[verb] ?? (isCaseCommand(verb) ? caseCommand(verb) : undefined);
  if (!handler) throw new InvalidInputError(`unknown verb or command ${verb}\n${USAGE}`);
  return handler(ctx);
}

type ExitError =
  InvalidInputError | CommandRefusedError | CaseNotFoundError | AccessDeniedError | ServiceUnavailableError;

function isExitError(err: unknown): err is ExitError {
  return (
    err instanceof InvalidInputError ||
    err instanceof CommandRefusedError ||
    err instanceof CaseNotFoundError ||
    err instanceof AccessDeniedError ||
    err instanceof ServiceUnavailableError
  );
}

/** Maps an error to its exit code and a one-line message (never a stack for expected errors). */
export function exitCodeFor(err: unknown, io: CliIo): number {
  if (isExitError(err)) {
    const prefix =
      err instanceof CommandRefusedError
        ? `refused (${err.code}): `
        : err instanceof AccessDeniedError
          ? err.status === 401
            ? 'not authenticated: '
            : 'not permitted: '
          : '';
    io.err(`cases: ${prefix}${err.message}`);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    io.err(`cases: ${err.message}`);
    return 2;
  }
  if (err instanceof Error && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`cases: ${err.message}\n${USAGE}`);
    return 2;
  }
  io.err(`cases: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}

/** runCli with every error mapped to its exit code: what the bin and the tests call. */
export function main(argv: string[], io: CliIo): Promise<number> {
  return runCli(argv, io).catch((err: unknown) => exitCodeFor(err, io));
}
