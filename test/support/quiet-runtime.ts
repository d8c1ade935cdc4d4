// Every jest project: Temporal core logs at WARN (TEST_LOG_LEVEL to change). One Runtime per process,
// and with --runInBand every test file shares the process, so later installs are expected to fail.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({
    logger: new DefaultLogger((process.env.TEST_LOG_LEVEL?.toUpperCase() as 'WARN' | undefined) ?? 'WARN'),
  });
} catch {
  // already installed by an earlier test file in this process
}
