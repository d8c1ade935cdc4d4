/**
 * Sending over SMTP with nodemailer: one pooled connection to the relay, TLS as configured (smtps, or STARTTLS
 * required), the deterministic Message-ID of each mail kept as it is. Errors name the relay's answer code, never
 * credentials or the message.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpSettings } from './config';
import type { MailMessage } from './compose';

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export class MailSendError extends Error {
  override readonly name = 'MailSendError';
}

export function createMailer(smtp: SmtpSettings): Mailer {
  const port = smtp.url.port ? Number(smtp.url.port) : smtp.secure ? 465 : 25;
  const transport: Transporter = nodemailer.createTransport({
    host: smtp.url.hostname,
    port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    // A loopback sink without TLS is the only plaintext allowed (see config.ts).
    ignoreTLS: !smtp.secure && !smtp.requireTls,
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.pass } } : {}),
    pool: true,
    maxConnections: 2,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from: smtp.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (err) {
        const e = err as { responseCode?: number; code?: string };
        throw new MailSendError(`SMTP send failed (${e.responseCode ?? e.code ?? 'error'})`);
      }
    },
    close() {
      transport.close();
    },
  };
}
