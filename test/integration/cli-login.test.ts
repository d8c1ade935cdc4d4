/**
 * `cases login --device`, as a person at a terminal does it: the CLI prints a verification address and a code,
 * the person approves it in a browser (here: through the provider's real pages over HTTP), the CLI stores the
 * tokens readable by its user alone, and later commands run as that person, renewed by the refresh token.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { approveDeviceByPassword } from '../../src/identity/dev-login';
import { startGateway, type TestGateway } from '../support/gateway';
import { eventually } from '../support/orchestrator';

jest.setTimeout(120_000);

describe('cases login --device', () => {
  let g: TestGateway;
  const dir = mkdtempSync(join(tmpdir(), 'cases-login-'));
  const tokenFile = join(dir, 'tokens.json');

  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(async () => {
    await g?.stop();
  });

  it('signs a person in with the device flow, keeps the tokens private, and renews them', async () => {
    // No DATA_DIR: nothing of the dev provider's secrets is needed for a real person's sign-in.
    const env = { PATH: process.env.PATH, CASES_GATEWAY_URL: g.url, CASES_TOKEN_FILE: tokenFile };
    const out: string[] = [];
    const err: string[] = [];
    const login = main(['login', '--device'], { out: (t) => out.push(t), err: (t) => err.push(t), env });
    const prompt = await eventually(
      async () => err.find((line) => line.includes('enter the code')),
      15_000,
      'the prompt',
    );
    const [, uri, code] = /^open (\S+) and enter the code (\S+)$/.exec(prompt) ?? [];
    expect(uri).toMatch(new RegExp(`^${g.idp.issuer}/`));
    await approveDeviceByPassword({
      verificationUri: uri!.split('?')[0]!,
      userCode: code!,
      account: 'oversight-3',
      password: g.idp.secrets.devPassword,
    });
    expect(await login).toBe(0);
    expect(out.join()).toContain('signed in with your account');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as { logins: Record<string, { refreshToken?: string }> };
    expect(Object.values(stored.logins)[0]?.refreshToken).toEqual(expect.any(String));

    const whoami: string[] = [];
    expect(await main(['whoami', '--json'], { out: (t) => whoami.push(t), err: (t) => whoami.push(t), env })).toBe(0);
    expect(JSON.parse(whoami.join('\n'))).toMatchObject({ agency: 'OVERSIGHT', staffId: 'oversight-3' });

    // An expired access token is renewed with the refresh token, without signing in again.
    const file = JSON.parse(readFileSync(tokenFile, 'utf8')) as {
      logins: Record<string, { expiresAt: number; accessToken: string }>;
    };
    const key = Object.keys(file.logins)[0]!;
    const before = file.logins[key]!.accessToken;
    file.logins[key]!.expiresAt = 0;
    writeFileSync(tokenFile, JSON.stringify(file), { mode: 0o600 });
    expect(await main(['inbox'], { out: () => undefined, err: (t) => whoami.push(t), env })).toBe(0);
    const after = (JSON.parse(readFileSync(tokenFile, 'utf8')) as typeof file).logins[key]!.accessToken;
    expect(after).not.toBe(before);
  });
});
