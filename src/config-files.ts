/**
 * Files that configuration points to, read and validated once at start. Errors name the variable, the
 * field and the rule, never the content.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from './config';
import { PolicyError, resolvePolicy, type DeadlinePolicy } from './domain/policy';

/** The deployment's deadline policy: CASE_POLICY_FILE over the defaults, within the legal bounds. */
export function readCasePolicy(config: Pick<Config, 'CASE_POLICY_FILE'>): DeadlinePolicy {
  const file = config.CASE_POLICY_FILE;
  if (!file) return resolvePolicy();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`CASE_POLICY_FILE: cannot read ${file}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch {
    throw new ConfigError([`CASE_POLICY_FILE: ${file} is not valid JSON`]);
  }
  try {
    return resolvePolicy(raw);
  } catch (err) {
    if (err instanceof PolicyError) throw new ConfigError([`CASE_POLICY_FILE: ${err.message}`]);
    throw err;
  }
}
