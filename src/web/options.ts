/**
 * The web app's options from the environment, for the gateway process (workers/gateway.ts): undefined when
 * WEB_ENABLED=false. The staff directory, if its file is there, gives each person's language.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config';
import { readStaffDirectory } from '../mail/directory';
import type { WebAppOptions } from './app';
import { loadWebConfig } from './config';

export const DEFAULT_STAFF_DIRECTORY = 'deploy/identity/staff-directory.json';

export function webOptionsFromEnv(
  config: Pick<Config, 'GATEWAY_URL' | 'DATA_DIR'>,
  issuer: string,
  env: Record<string, string | undefined> = process.env,
): WebAppOptions | undefined {
  const web = loadWebConfig(config, env);
  if (!web.enabled) return undefined;
  const file = env.MAIL_STAFF_DIRECTORY || DEFAULT_STAFF_DIRECTORY;
  const directory = existsSync(file) ? readStaffDirectory(file) : undefined;
  return { config: web, issuer, ...(directory ? { directory } : {}) };
}
