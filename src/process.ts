/**
 * One way to run a process entry point (workers/*): one exit-code policy for all of them. A bad
 * configuration or key stops the process with exit code 2 and one line naming the problem; anything else
 * unexpected exits 1 with the error logged. SIGINT/SIGTERM are each entry point's business (graceful stop).
 */
import { ConfigError } from './config';
import { KeyringError } from './temporal/keyring';

/** Errors that mean "fix the configuration", not "something broke". */
function isConfigurationError(err: unknown): err is Error {
  return (
    err instanceof ConfigError || err instanceof KeyringError || (err instanceof Error && err.name === 'PolicyError')
  );
}

export function runProcess(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (isConfigurationError(err)) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
