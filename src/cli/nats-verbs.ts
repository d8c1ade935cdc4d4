/** The CLI verbs that talk to NATS rather than Temporal: the task inbox, dead letters, setup. */
import type { Config } from '../config';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { AGENCIES, Agency } from '../domain/agencies';
import { agencyUserName, renderNatsAuthConfig, USER_ADMIN, USER_NOTIFIER, USER_ORCHESTRATOR, type NatsUsers } from '../nats/auth-config';
import { ensureNotifierBuckets } from '../nats/buckets';
import { connectNats } from '../nats/connection';
import { ensureJetStream } from '../nats/stream';
import { listDeadLetters } from '../notifier/dead-letters';
import { listInbox } from '../notifier/inbox';
import { parseInput } from '../client/cases-client';
import { createLogger } from '../logging';
import { table } from './format';

/**
 * Writes a nats-server config with one user per agency (only its own consumer, acks and inbox prefix)
 * and, beside it, an env file of generated passwords that each process sources (NATS_USER/NATS_PASSWORD).
 */
function writeAuthConfig(path: string, stream: string): { config: string; credentials: string; users: string[] } {
  const password = () => randomBytes(24).toString('base64url');
  const users: NatsUsers = {
    orchestrator: password(),
    notifier: password(),
    admin: password(),
    agencies: Object.fromEntries(AGENCIES.map((a) => [a, password()])),
  };
  const credentials = `${path}.credentials.env`;
  writeFileSync(path, renderNatsAuthConfig({ users, stream }), { mode: 0o600 });
  const lines = [
    `${USER_ORCHESTRATOR.toUpperCase()}_NATS_USER=${USER_ORCHESTRATOR}`,
    `${USER_ORCHESTRATOR.toUpperCase()}_NATS_PASSWORD=${users.orchestrator}`,
    `${USER_NOTIFIER.toUpperCase()}_NATS_USER=${USER_NOTIFIER}`,
    `${USER_NOTIFIER.toUpperCase()}_NATS_PASSWORD=${users.notifier}`,
    `${USER_ADMIN.toUpperCase()}_NATS_USER=${USER_ADMIN}`,
    `${USER_ADMIN.toUpperCase()}_NATS_PASSWORD=${users.admin}`,
    ...AGENCIES.flatMap((a) => [`${a}_NATS_USER=${agencyUserName(a)}`, `${a}_NATS_PASSWORD=${users.agencies[a]}`]),
  ];
  writeFileSync(credentials, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { config: path, credentials, users: [USER_ORCHESTRATOR, USER_NOTIFIER, USER_ADMIN, ...AGENCIES.map(agencyUserName)] };
}

interface Flags {
  'auth-config'?: string;
  agency?: string;
  staff?: string;
  overdue?: boolean;
}

export async function runNatsVerb(
  verb: 'inbox' | 'dead-letters' | 'setup',
  config: Config,
  flags: Flags,
  print: (human: string, data: unknown) => void,
): Promise<number> {
  const agency = flags.agency === undefined ? undefined : parseInput(Agency, flags.agency, '--agency');
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, name: 'cases-cli', toStderr: true });
  const nc = await connectNats(config, { name: 'cases-cli', logger });
  try {
    if (verb === 'setup' && flags['auth-config']) {
      const written = writeAuthConfig(flags['auth-config'], config.NATS_STREAM);
      print(`wrote ${written.config} (one user per agency) and ${written.credentials} (passwords, mode 0600)`, written);
    }
    if (verb === 'setup') {
      const js = await ensureJetStream(config, nc);
      await ensureNotifierBuckets(nc);
      const summary = {
        stream: { name: config.NATS_STREAM, action: js.stream.action },
        consumers: js.consumers.map((c) => ({ name: c.name, filter: c.filterSubject, action: c.action })),
      };
      print(`stream ${config.NATS_STREAM}: ${js.stream.action}\n${table(summary.consumers)}`, summary);
      return 0;
    }
    const { inbox, deadLetters } = await ensureNotifierBuckets(nc);
    if (verb === 'dead-letters') {
      const letters = await listDeadLetters(deadLetters, agency ? { agency } : {});
      print(table(letters as unknown as Record<string, unknown>[]), letters);
      return 0;
    }
    if (!agency) {
      print('inbox: --agency is required', undefined);
      return 2;
    }
    const tasks = await listInbox(inbox, {
      agency,
      ...(flags.staff ? { staffId: flags.staff } : {}),
      ...(flags.overdue ? { overdue: true } : {}),
      now: Date.now(),
    });
    const now = Date.now();
    print(
      table(
        tasks.map((t) => ({
          id: t.id,
          status: t.status,
          staff: t.staffId,
          due: t.dueAt,
          overdue: Date.parse(t.dueAt) < now ? 'OVERDUE' : '',
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
