/** The CLI verbs that talk to NATS rather than Temporal: the task inbox, dead letters (list, replay), setup. */
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { durationMs, type Config } from '../config';
import { Agency } from '../domain/agencies';
import { InvalidInputError } from '../client/errors';
import { createLogger } from '../logging';
import { identities } from '../nats/auth-config';
import { ensureNotifierBuckets, notifierBucketNames, openBucket } from '../nats/buckets';
import { connectNats } from '../nats/connection';
import { writeNkeyCredentials } from '../nats/credentials';
import { ensureJetStream } from '../nats/stream';
import { CLEARED, type Reader } from '../nats/subjects';
import { loadNotifierBucketSpec } from '../notifier/config';
import { listDeadLetters, replayDeadLetters } from '../notifier/dead-letters';
import { listInbox } from '../notifier/inbox';
import { table } from './format';

export interface NatsVerbFlags {
  'auth-config'?: string;
  agency?: string;
  staff?: string;
  overdue?: boolean;
  since?: string;
}

type Print = (human: string, data: unknown) => void;

const ReaderFlag = z.union([Agency, z.literal(CLEARED)]);

/** A flag checked with zod: the error names the flag and the rule (exit code 2), never echoing the value. */
function parseFlag<T extends z.ZodType>(schema: T, value: unknown, flag: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(`${flag}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
}

/** `--since`: an ISO time, or a duration back from now (`24h`, `7d`). */
export function parseSince(value: string, now: Date): Date {
  if (/^\d+(ms|s|m|h|d)$/.test(value)) return new Date(now.getTime() - durationMs(value));
  const parsed = z.iso.datetime({ offset: true }).safeParse(value);
  if (!parsed.success)
    throw new InvalidInputError('--since: must be an ISO time (2026-03-01T08:00:00Z) or a duration (24h)');
  return new Date(parsed.data);
}

/**
 * `setup [--auth-config FILE]`: with --auth-config, first writes the server's authorization (FILE) and one NKEY
 * seed and env file per identity (FILE.credentials/); no server is needed for that, so it is the first step of a
 * deployment. Then, connected as admin, provisions streams, consumers and buckets (idempotent).
 */
async function setup(config: Config, flags: NatsVerbFlags, print: Print): Promise<number> {
  if (flags['auth-config']) {
    const written = writeNkeyCredentials(flags['auth-config'], identities({ stream: config.NATS_STREAM }));
    print(
      `wrote ${written.authorization} (include it in the nats-server config) and one seed + env file per identity ` +
        `in ${written.directory} (mode 0600; ${written.created.length} new, ${written.kept.length} kept)`,
      written,
    );
  }
  let nc: NatsConnection;
  try {
    nc = await connectNats(config, { name: 'cases-setup', logger: quietLogger(config) });
  } catch (err) {
    if (!flags['auth-config']) throw err;
    print(
      `cannot reach NATS to provision (${err instanceof Error ? err.message : String(err)}): start nats-server with ` +
        'this authorization, then run `cases setup` again with the admin identity (admin.env)',
      { provisioned: false },
    );
    return 1;
  }
  try {
    const js = await ensureJetStream(config, nc);
    await ensureNotifierBuckets(nc, { ...loadNotifierBucketSpec(), replicas: config.NATS_REPLICAS });
    const summary = {
      streams: [
        { name: js.stream.info.config.name, action: js.stream.action },
        { name: js.audit.info.config.name, action: js.audit.action, sealed: true },
      ],
      consumers: js.consumers.map((c) => ({
        stream: c.stream,
        name: c.name,
        filter: c.filterSubject,
        action: c.action,
      })),
      buckets: Object.values(notifierBucketNames()),
      migration: js.migration,
    };
    print(
      [
        ...summary.streams.map((s) => `stream ${s.name}: ${s.action}`),
        ...js.migration.map((m) => `migrated: ${m}`),
        table(summary.consumers),
        `buckets: ${summary.buckets.join(', ')}`,
      ].join('\n'),
      summary,
    );
    return 0;
  } finally {
    await nc.close();
  }
}

export async function runNatsVerb(
  verb: 'inbox' | 'dead-letters' | 'setup',
  config: Config,
  flags: NatsVerbFlags,
  print: Print,
  args: readonly string[] = [],
): Promise<number> {
  if (verb === 'setup') return setup(config, flags, print);
  const now = new Date();
  const since = flags.since === undefined ? undefined : parseSince(flags.since, now);
  const nc = await connectNats(config, { name: 'cases-cli', logger: quietLogger(config) });
  try {
    const names = notifierBucketNames();
    if (verb === 'dead-letters') {
      const reader: Reader | undefined =
        flags.agency === undefined ? undefined : parseFlag(ReaderFlag, flags.agency, '--agency');
      const deadLetters = await openBucket(nc, names.deadLetters);
      const query = { ...(reader ? { agency: reader } : {}), ...(since ? { since } : {}) };
      const [sub, ...rest] = args;
      if (sub === 'replay' && rest.length === 0) {
        const results = await replayDeadLetters(nc, deadLetters, { ...query, now });
        print(table(results as unknown as Record<string, unknown>[]), results);
        return 0;
      }
      if (sub !== undefined) throw new InvalidInputError('dead-letters: the only subcommand is `replay`');
      const letters = await listDeadLetters(deadLetters, query);
      print(table(letters as unknown as Record<string, unknown>[]), letters);
      return 0;
    }
    const agency = flags.agency === undefined ? undefined : parseFlag(Agency, flags.agency, '--agency');
    if (!agency) {
      print('inbox: --agency is required', undefined);
      return 2;
    }
    const tasks = await listInbox(await openBucket(nc, names.inbox), {
      agency,
      ...(flags.staff ? { staffId: flags.staff } : {}),
      ...(flags.overdue ? { overdue: true } : {}),
      now,
    });
    print(
      table(
        tasks.map((t) => ({
          id: t.id,
          status: t.status,
          staff: t.staffId,
          due: t.dueAt,
          overdue: Date.parse(t.dueAt) < now.getTime() ? 'OVERDUE' : '',
          escalated: t.escalated ? 'yes' : '',
          title: t.title,
        })),
      ),
      tasks,
    );
    return 0;
  } finally {
    await nc.close();
  }
}

function quietLogger(config: Config) {
  return createLogger({
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    name: 'cases-cli',
    toStderr: true,
  });
}
