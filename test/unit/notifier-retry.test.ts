import { DEFAULT_RETRY_POLICY, horizonStart, nextRetry } from '../../src/notifier/retry';

const MIN = 60_000;
const H = 3_600_000;

describe('nextRetry: how long a failing delivery is retried', () => {
  it('backs off exponentially from the base and caps at the maximum (5 minutes by default)', () => {
    const delays = [1, 2, 3, 4, 9, 10, 30].map((n) => nextRetry(DEFAULT_RETRY_POLICY, n, 0, 1_000));
    expect(delays.map((d) => (d.kind === 'retry' ? d.delayMs : -1))).toEqual([
      1_000,
      2_000,
      4_000,
      8_000,
      256_000,
      5 * MIN,
      5 * MIN,
    ]);
  });

  it('keeps retrying through a weekend-long outage: the horizon decides, not a count', () => {
    // After 1,000 failures, 70 hours in, it still retries.
    expect(nextRetry(DEFAULT_RETRY_POLICY, 1_000, 0, 70 * H)).toEqual({ kind: 'retry', delayMs: 5 * MIN });
    // The last wait is shortened so that one attempt falls on the horizon itself...
    expect(nextRetry(DEFAULT_RETRY_POLICY, 1_000, 0, 72 * H - MIN)).toEqual({ kind: 'retry', delayMs: MIN });
    // ...and at the horizon it gives up.
    expect(nextRetry(DEFAULT_RETRY_POLICY, 1_000, 0, 72 * H)).toEqual({ kind: 'give-up' });
  });

  it('measures the horizon from the later of stream time and taking the lease', () => {
    expect(horizonStart(1_000, 5_000)).toBe(5_000);
    expect(horizonStart(9_000, 5_000)).toBe(9_000);
    // A backlog four days old, taken over now: a first failure is retried, not dead-lettered.
    const now = 100 * H;
    expect(nextRetry(DEFAULT_RETRY_POLICY, 1, horizonStart(now - 96 * H, now), now).kind).toBe('retry');
  });
});
