/**
 * Files that configuration points to, read and validated once at start. Errors name the variable, the
 * field and the rule, never the content.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from './config';
import { PolicyError, resolvePolicy, type DeadlinePolicy } from './domain/policy';
import { parseJsonText } from './json-text';

/**
 * The deployment's case policy (deadlines and vocabulary): CASE_POLICY_FILE over the defaults, within the legal
 * bounds. Its format is the catalogue's `casePolicy` entry (`cases commands --json`); `cases policy` shows the
 * result.
 */
export function readCasePolicy(config: Pick<Config, 'CASE_POLICY_FILE'>): DeadlinePolicy {
  const file = config.CASE_POLICY_FILE;
  if (!file) return resolvePolicy();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`CASE_POLICY_FILE: cannot read ${file}`]);
  }
  const raw = parseJsonText(text, `CASE_POLICY_FILE: ${file}`, (message) => new ConfigError([message]));
  try {
    return resolvePolicy(raw);
  } catch (err) {
    if (err instanceof PolicyError) throw new ConfigError([`CASE_POLICY_FILE: ${err.message}`]);
    throw err;
  }
}
