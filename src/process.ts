/**
 * One way to run a process entry point (workers/*), with one exit-code policy for all of them: a bad
 * configuration, key or seed stops the process with exit code 2 and one line naming the problem (these
 * messages name variables and rules, never secrets); anything else unexpected exits 1 with the error.
 * SIGINT/SIGTERM are each entry point's business (graceful stop).
 */
import { ConfigError } from './config';
import { PolicyError } from './domain/policy';
import { KeyringError } from './temporal/keyring';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Errors that mean "fix the configuration", not "something broke". */
const CONFIGURATION_ERRORS: readonly ErrorClass[] = [ConfigError, KeyringError, PolicyError];

export function runProcess(
  name: string,
  main: () => Promise<void>,
  opts: { configurationErrors?: readonly ErrorClass[] } = {},
): void {
  const configuration = [...CONFIGURATION_ERRORS, ...(opts.configurationErrors ?? [])];
  main().catch((err: unknown) => {
    if (configuration.some((cls) => err instanceof cls)) {
      const message = err instanceof ConfigError ? err.issues.join('; ') : (err as Error).message;
      process.stderr.write(`${name}: ${message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
