import { ConfigError, durationMs, loadConfig } from '../../src/config';

/** The ConfigError that loadConfig throws for env (fails the test if it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives a working local setup when nothing is set', () => {
    expect(loadConfig({})).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'case-orchestrator',
      TEMPORAL_TLS: false,
      TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      NATS_URL: ['nats://127.0.0.1:4222'],
      NATS_STREAM: 'CASES',
      NATS_STREAM_MAX_AGE: '365d',
      NATS_DUPLICATE_WINDOW: '2h',
      DATA_DIR: '.data',
      LOG_LEVEL: 'info',
      CODEC_SERVER_PORT: 8888,
      METRICS_PORT: 0,
    });
  });

  it('treats empty strings as unset (compose files and shells export VAR=)', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: '', NATS_URL: '', LOG_LEVEL: '', TEMPORAL_API_KEY: '' });
    expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.NATS_URL).toEqual(['nats://127.0.0.1:4222']);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.TEMPORAL_API_KEY).toBeUndefined();
  });

  it('ignores variables it does not know (the real environment is full of them)', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' })).not.toHaveProperty('PATH');
  });

  it('parses lists, booleans and numbers', () => {
    const config = loadConfig({
      NATS_URL: 'nats://a:4222, tls://b:4222,',
      TEMPORAL_TLS: 'true',
      CODEC_SERVER_PORT: '9999',
      TEMPORAL_ADDRESS: 'temporal.example.org:7233',
    });
    expect(config.NATS_URL).toEqual(['nats://a:4222', 'tls://b:4222']);
    expect(config.TEMPORAL_TLS).toBe(true);
    expect(config.CODEC_SERVER_PORT).toBe(9999);
    expect(config.TEMPORAL_ADDRESS).toBe('temporal.example.org:7233');
  });

  it.each(['localhost', 'http://localhost:7233', '127.0.0.1:port'])('rejects TEMPORAL_ADDRESS=%s', (value) => {
    const err = configError({ TEMPORAL_ADDRESS: value });
    expect(err.message).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
  });

  it.each(['http://127.0.0.1:4222', '127.0.0.1:4222', 'nats://a:4222,http://b:4222'])(
    'rejects NATS_URL=%s',
    (value) => {
      const err = configError({ NATS_URL: value });
      expect(err.message).toMatch(/NATS_URL(\.\d+)?: must be a nats:\/\/ \(or tls:\/\/\) URL/);
    },
  );

  it('rejects a NATS_URL that lists nothing', () => {
    expect(configError({ NATS_URL: ' , ' }).message).toMatch(/NATS_URL: must list at least one value/);
  });

  it('rejects an unknown LOG_LEVEL and says which levels exist', () => {
    const err = configError({ LOG_LEVEL: 'verbose' });
    expect(err.message).toMatch(/LOG_LEVEL: /);
    expect(err.message).toMatch(/"debug"/);
  });

  it('rejects a duration that is not a number and a unit', () => {
    expect(configError({ NATS_DUPLICATE_WINDOW: '2 hours' }).message).toMatch(
      /NATS_DUPLICATE_WINDOW: must be a duration such as 500ms/,
    );
  });

  it('names every bad variable at once, one issue per line', () => {
    const err = configError({ TEMPORAL_ADDRESS: 'nope', LOG_LEVEL: 'loud', CODEC_SERVER_TOKEN: 'short' });
    expect(err.name).toBe('ConfigError');
    expect(err.issues).toHaveLength(3);
    expect(err.issues.map((i) => i.split(':')[0]).sort()).toEqual([
      'CODEC_SERVER_TOKEN',
      'LOG_LEVEL',
      'TEMPORAL_ADDRESS',
    ]);
    expect(err.message.split('\n')).toHaveLength(4);
    expect(err.message).toMatch(/CODEC_SERVER_TOKEN: must be at least 16 characters/);
  });
});

describe('durationMs', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['0s', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['', '5', '1.5h', '-1s', '2 h', '3w'])('rejects %j', (text) => {
    expect(() => durationMs(text)).toThrow(/not a duration/);
  });

  it('agrees with the defaults the config hands out', () => {
    const config = loadConfig({});
    expect(durationMs(config.NATS_DUPLICATE_WINDOW)).toBe(2 * 3_600_000);
    expect(durationMs(config.NATS_STREAM_MAX_AGE)).toBe(365 * 86_400_000);
  });
});
