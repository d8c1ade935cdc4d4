/** The CLI verbs that talk to NATS rather than Temporal: the task inbox, dead letters, setup. */
import type { Config } from '../config';
import { Agency } from '../domain/agencies';
import { ensureNotifierBuckets } from '../nats/buckets';
import { connectNats } from '../nats/connection';
import { ensureJetStream } from '../nats/stream';
import { listDeadLetters } from '../notifier/dead-letters';
import { listInbox } from '../notifier/inbox';
import { parseInput } from '../client/cases-client';
import { table } from './format';

interface Flags {
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
  const nc = await connectNats(config, { name: 'cases-cli' });
  try {
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
