/**
 * The development SMTP sink process: `node dist/workers/mail-sink.js` (the dev stack starts it). Accepts every mail
 * on MAIL_SINK_HOST:MAIL_SINK_PORT (loopback, 127.0.0.1:2525) and keeps it in $DATA_DIR/mail-sink/mails.jsonl;
 * relays nothing. Production has no sink: SMTP_URL points at the agencies' relay.
 */
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging';
import { loadMailConfig } from '../src/mail/config';
import { startMailSink } from '../src/mail/sink';
import { runProcess } from '../src/process';

runProcess('mail-sink', async () => {
  const config = loadConfig();
  const mail = loadMailConfig(config);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'mail-sink' });
  const sink = await startMailSink({ ...mail.sink, logger });
  logger.info({ address: `${mail.sink.host}:${sink.port}`, file: sink.file }, 'mail sink listening');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'mail sink stopping');
    await sink.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
});
