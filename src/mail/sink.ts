/**
 * The development SMTP sink: a real SMTP server (smtp-server) on loopback that accepts every message and keeps it,
 * parsed (mailparser), as one JSON line per message in `<dir>/mails.jsonl`, for the demo to print and the tests to
 * read. It relays nothing. It exists for development and tests only: production points SMTP_URL at a relay.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import { isLoopbackHost } from './config';

export interface CaughtMail {
  receivedAt: string;
  envelopeTo: string[];
  from?: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
}

export interface MailSink {
  port: number;
  file: string;
  stop(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

export const sinkFile = (dir: string): string => join(dir, 'mails.jsonl');

/** Every mail a sink caught, oldest first (an absent file: none yet). */
export function readCaughtMails(dir: string): CaughtMail[] {
  const file = sinkFile(dir);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CaughtMail);
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? '')).filter(Boolean);
}

export async function startMailSink(opts: {
  host: string;
  port: number;
  dir: string;
  logger?: Logger;
}): Promise<MailSink> {
  if (!isLoopbackHost(opts.host)) throw new Error('the mail sink listens on loopback only');
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const file = sinkFile(opts.dir);
  const server = new SMTPServer({
    name: 'case-orchestrator-mail-sink',
    banner: 'development mail sink: nothing is relayed',
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CaughtMail = {
            receivedAt: new Date().toISOString(),
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            ...(parsed.from?.value[0]?.address ? { from: parsed.from.value[0].address } : {}),
            to: addresses(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
            ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
          };
          appendFileSync(file, `${JSON.stringify(mail)}\n`, { mode: 0o600 });
          opts.logger?.info({ to: mail.envelopeTo.length, messageId: mail.messageId }, 'mail caught');
          callback();
        })
        .catch((err: unknown) => {
          opts.logger?.warn({ err }, 'mail not parsed');
          callback(new Error('message not accepted'));
        });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  server.on('error', (err) => opts.logger?.warn({ err }, 'mail sink error'));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    file,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
