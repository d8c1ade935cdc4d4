/**
 * The e-mail channel: staff hear of their tasks by mail, each at once or in a daily digest as they chose (the
 * staff directory), with reminders before a task is due and a mail when it is escalated. Mails carry the task's
 * kind, its case's reference, its due time and a link, and nothing else (src/mail/compose.ts).
 *
 * Why here: the notifier already has every task event, for each agency in order, with retries and dead letters;
 * sending from it adds no second reader of the stream, and what an agency's staff are told follows what the agency
 * receives (a restricted agency receives nothing of the case, so its staff get no mail of it either).
 *
 * One mail per person per event: before sending, the channel looks for its mark (event source + id + staff id) in
 * the notifier's `seen` bucket, and writes the mark after the relay accepted the mail. A notifier retries a whole
 * delivery when any channel failed, so this is what keeps a retry from mailing twice; a crash between the relay's
 * acceptance and the mark can still repeat one mail, which then has the same Message-ID for the receiver to drop.
 *
 * Digests: task-created events of people on a digest are queued in the same bucket (under `digest.`, expiring with
 * it) and sent once a day at MAIL_DIGEST_AT, listing the tasks still open (the task inbox says which). Every
 * notifier runs the schedule; the first to create the day's `digest-sent` mark for a person sends, the others skip.
 * Reminders and escalations are time-critical and always go at once.
 */
import { createHash } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { AGENCIES, type Agency } from '../domain/agencies';
import { commandCatalogue, type CatalogueEntry } from '../domain/catalogue';
import { composeDigest, composeTaskMail, isMailEvent, type DigestItem, type Reader } from '../mail/compose';
import { dayIn, nextDigestAt } from '../mail/digest';
import type { Config } from '../config';
import { loadMailConfig } from '../mail/config';
import { readStaffDirectory, type StaffDirectory, type StaffEntry } from '../mail/directory';
import { recipientsOf } from '../mail/recipients';
import { createMailer, type Mailer } from '../mail/transport';
import type { Language } from '../web/i18n';
import type { Delivery, NotificationChannel } from './channels';
import { inboxKey, isOpen, type InboxEntry } from './inbox';

export interface EmailChannelOptions {
  directory: StaffDirectory;
  mailer: Mailer;
  /** Where marks and the digest queue live: the notifier's `seen` bucket (its entries expire with the bucket's TTL). */
  marks: KV;
  /** The task inbox, to leave closed tasks out of digests. */
  inbox?: KV;
  linkBase: string;
  defaultLanguage: Language;
  defaultTimeZone: string;
  digest: { at: string; timeZone: string };
  logger?: Logger;
  now?: () => number;
}

interface QueuedItem extends DigestItem {
  agency: Agency;
}

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
/** After a failed digest run, try again this much later. */
const DIGEST_RETRY_MS = 5 * 60_000;

export class EmailChannel implements NotificationChannel {
  readonly name = 'email';
  /** Mail goes to persons one by one: cleared staff of a restricted agency get their tasks' mail too. */
  readonly reachesClearedStaff = true;
  readonly counters = { sent: 0, queued: 0, skipped: 0, digests: 0 };
  private readonly catalogue: CatalogueEntry[] = commandCatalogue();
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private digesting?: Promise<number>;

  constructor(private readonly opts: EmailChannelOptions) {
    this.now = opts.now ?? Date.now;
  }

  private readerOf(s: StaffEntry): Reader {
    return {
      email: s.email,
      language: s.language ?? this.opts.defaultLanguage,
      timeZone: s.timeZone ?? this.opts.defaultTimeZone,
    };
  }

  async deliver(d: Delivery): Promise<void> {
    // A CLEARED task event is for the named staff of the restricted agency only; any other copy, for its agency.
    const agency = d.reader === 'CLEARED' ? d.cleared?.agency : d.reader;
    if (!agency || !(AGENCIES as readonly string[]).includes(agency)) return;
    if (d.reader === 'CLEARED' && !d.cleared?.staffIds.length) return;
    if (!d.task || !isMailEvent(d.eventType)) return;
    const task = d.task;
    const people = recipientsOf(agency, task, this.opts.directory, this.catalogue, d.cleared?.staffIds);
    for (const person of people) {
      const mark = `mail.${sha(`${d.event.source}\n${d.event.id}\n${person.staffId}`)}`;
      const seen = await this.opts.marks.get(mark);
      if (seen && seen.operation === 'PUT') {
        this.counters.skipped++;
        continue;
      }
      if (person.delivery === 'digest' && d.eventType === 'task-created') {
        const item: QueuedItem = {
          taskId: task.id,
          kind: task.kind,
          ...(task.ref ? { ref: task.ref } : {}),
          caseId: task.caseId,
          dueAt: task.dueAt,
          title: task.title,
          agency,
        };
        await this.opts.marks.put(`digest.${hex(person.staffId)}.${sha(task.id).slice(0, 32)}`, JSON.stringify(item));
        this.counters.queued++;
      } else {
        const message = composeTaskMail({
          eventType: d.eventType,
          eventSource: d.event.source,
          eventId: d.event.id,
          task,
          agency,
          staffId: person.staffId,
          reader: this.readerOf(person),
          linkBase: this.opts.linkBase,
        });
        await this.opts.mailer.send(message);
        this.counters.sent++;
      }
      await this.opts.marks.put(mark, JSON.stringify({ at: new Date(this.now()).toISOString() }));
    }
    if (this.opts.logger?.isLevelEnabled('debug')) {
      this.opts.logger.debug({ agency, eventType: d.eventType, taskId: task.id }, 'task mail handled');
    }
  }

  /** Starts the daily digest schedule (MAIL_DIGEST_AT in MAIL_DIGEST_TIME_ZONE). */
  startDigests(): void {
    const schedule = (delayMs?: number) => {
      const wait =
        delayMs ??
        Math.max(1_000, nextDigestAt(this.now(), this.opts.digest.at, this.opts.digest.timeZone) - this.now());
      this.timer = setTimeout(
        () => {
          this.sendDigests().then(
            () => schedule(),
            (err: unknown) => {
              this.opts.logger?.warn({ err }, 'digests not sent; will try again');
              schedule(DIGEST_RETRY_MS);
            },
          );
        },
        Math.min(wait, 2_147_000_000),
      );
      this.timer.unref();
    };
    schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.opts.mailer.close();
  }

  /** Sends today's digest to everyone with queued tasks who has not had it yet; resolves to the number sent. */
  sendDigests(): Promise<number> {
    this.digesting ??= this.runDigests().finally(() => {
      this.digesting = undefined;
    });
    return this.digesting;
  }

  private async runDigests(): Promise<number> {
    const keys: string[] = [];
    for await (const k of await this.opts.marks.keys('digest.>')) keys.push(k);
    const byPerson = new Map<string, string[]>();
    for (const key of keys) {
      const staffHex = key.split('.')[1] ?? '';
      byPerson.set(staffHex, [...(byPerson.get(staffHex) ?? []), key]);
    }
    const day = dayIn(this.now(), this.opts.digest.timeZone);
    let sent = 0;
    for (const [staffHex, itemKeys] of byPerson) {
      const staffId = Buffer.from(staffHex, 'hex').toString('utf8');
      const person = this.opts.directory.get(staffId);
      const items: QueuedItem[] = [];
      for (const key of itemKeys) {
        const e = await this.opts.marks.get(key);
        if (e && e.operation === 'PUT') items.push(e.json<QueuedItem>());
      }
      const open = await this.stillOpen(items);
      if (!person || open.length === 0) {
        await Promise.all(itemKeys.map((k) => this.opts.marks.delete(k)));
        continue;
      }
      const sentMark = `digest-sent.${staffHex}.${day}`;
      try {
        await this.opts.marks.create(sentMark, JSON.stringify({ at: new Date(this.now()).toISOString() }));
      } catch {
        // Another notifier sent today's digest (or is sending it); what was queued since waits for tomorrow.
        continue;
      }
      try {
        await this.opts.mailer.send(
          composeDigest({ staffId, day, items: open, reader: this.readerOf(person), linkBase: this.opts.linkBase }),
        );
      } catch (err) {
        await this.opts.marks.delete(sentMark).catch(() => undefined);
        throw err;
      }
      await Promise.all(itemKeys.map((k) => this.opts.marks.delete(k)));
      sent++;
      this.counters.digests++;
    }
    return sent;
  }

  private async stillOpen(items: QueuedItem[]): Promise<QueuedItem[]> {
    const inbox = this.opts.inbox;
    if (!inbox) return items;
    const open: QueuedItem[] = [];
    for (const item of items) {
      const e = await inbox.get(inboxKey(item.agency, item.taskId)).catch(() => null);
      if (!e || e.operation !== 'PUT' || isOpen(e.json<InboxEntry>())) open.push(item);
    }
    return open;
  }
}

/**
 * The channel as configured (src/mail/config.ts), or undefined when mail is off (SMTP_URL unset). The staff
 * directory is read now, so a bad file stops the notifier at start with the rule it breaks.
 */
export function emailChannelFromEnv(
  config: Pick<Config, 'GATEWAY_URL' | 'DATA_DIR'>,
  buckets: { marks: KV; inbox?: KV },
  logger?: Logger,
  env: Record<string, string | undefined> = process.env,
): EmailChannel | undefined {
  const mail = loadMailConfig(config, env);
  if (!mail.smtp) return undefined;
  return new EmailChannel({
    directory: readStaffDirectory(mail.directoryFile),
    mailer: createMailer(mail.smtp),
    marks: buckets.marks,
    ...(buckets.inbox ? { inbox: buckets.inbox } : {}),
    linkBase: mail.linkBase,
    defaultLanguage: mail.defaultLanguage,
    defaultTimeZone: mail.defaultTimeZone,
    digest: { at: mail.digestAt, timeZone: mail.digestTimeZone },
    ...(logger ? { logger } : {}),
  });
}
