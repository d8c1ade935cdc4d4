/**
 * What Temporal stores is ciphertext: after the reference case runs on the real stack, the raw history of every
 * workflow of the case (the case, its raid child, the minor's protection child, every run of each) holds no
 * personal name and no address, and its payloads are marked binary/encrypted with a key id. Decoded through the
 * codec server, with an admin's access token from the identity provider (the real development provider), the very
 * same histories do show the names (so the data is there, only encrypted); with a forged token the codec server
 * answers 401, with a token of someone who is not an admin 403, and the CLI shows no names either way.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createCodecServer } from '../../src/codec-server/server';
import { SignInFlow } from '../../src/codec-server/sign-in';
import { serviceDesks } from '../../src/demo/desks';
import { PERSONAL_NAMES, runReferenceCase, type ReferenceRun } from '../../src/demo/reference-case';
import { createTokenVerifier } from '../../src/identity/verify';
import { EncryptionCodec, INSPECTOR_POLICY } from '../../src/temporal/codec';
import { parseKeyList } from '../../src/temporal/keyring';
import { startIdentityProvider, type IdentityProviderHandle } from '../support/identity';
import {
  eventually,
  startOrchestrator,
  TEST_CODEC_KEYS,
  uniqueCaseId,
  type TestOrchestrator,
} from '../support/orchestrator';
import {
  caseExecutions,
  findPayloads,
  fromBase64,
  payloadKind,
  showHistory,
  unexpectedMarkerFields,
  type Execution,
} from '../support/temporal-cli';

jest.setTimeout(600_000);

const SECRETS = [...Object.values(PERSONAL_NAMES), 'Jr. Privado'];

interface CodecLogLine {
  msg: string;
  status?: number;
  operation?: string;
  auth?: string;
  staffId?: string;
}
const codecLog: CodecLogLine[] = [];

/** The decoded text of every data payload in a JSON history (decoded payloads are still base64 in JSON output). */
function plaintextOf(historyJson: string): string {
  return findPayloads(JSON.parse(historyJson))
    .filter((p) => payloadKind(p) === 'data')
    .map((p) => `${fromBase64(p.metadata.encoding)} ${fromBase64(p.data)}`)
    .join('\n');
}

describe('privacy of stored histories', () => {
  let o: TestOrchestrator;
  let run: ReferenceRun;
  let executions: Execution[];
  const raw = new Map<string, string>();
  let codecServer: Server;
  let endpoint: string;
  let idp: IdentityProviderHandle;
  let adminToken: string;
  const address = () => o.config.TEMPORAL_ADDRESS;
  const key = (e: Execution) => `${e.workflowId}/${e.runId}`;

  beforeAll(async () => {
    o = await startOrchestrator();
    run = await runReferenceCase(serviceDesks(o.cases), uniqueCaseId('PRIV'));
    // Visibility lags behind the workflows a little; wait for all three workflows, closed where they close.
    executions = await eventually(
      async () => {
        const list = await caseExecutions(address(), run.caseId);
        const ids = new Set(list.map((e) => e.workflowId));
        const caseClosed = list.some(
          (e) => e.workflowId === `case-${run.caseId}` && e.status !== 'WORKFLOW_EXECUTION_STATUS_RUNNING',
        );
        return ids.size >= 3 && ids.has(run.protectionWorkflowId) && caseClosed ? list : undefined;
      },
      60_000,
      'the case, raid and protection workflows in visibility',
    );
    for (const e of executions) {
      const r = await showHistory(address(), e.workflowId, { runId: e.runId });
      expect(r).toMatchObject({ code: 0 });
      raw.set(key(e), r.stdout);
    }

    idp = await startIdentityProvider();
    adminToken = await idp.personToken('admin-1');
    codecServer = createCodecServer({
      codec: new EncryptionCodec(parseKeyList(TEST_CODEC_KEYS), INSPECTOR_POLICY),
      verifier: createTokenVerifier(idp.verifierOptions()),
      // Browser sign-in is not used here (privacy-codec-session and ui-codec cover it).
      signIn: new SignInFlow({
        issuer: idp.issuer,
        clientId: 'codec-server',
        clientSecret: idp.secrets.clients['codec-server']!,
        redirectUri: 'http://127.0.0.1:8888/session/callback',
      }),
      allowedOrigin: 'http://127.0.0.1:8233',
      logger: pino({ level: 'info' }, { write: (line: string) => codecLog.push(JSON.parse(line) as CodecLogLine) }),
    });
    await new Promise<void>((resolve) => codecServer.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(codecServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (codecServer ? codecServer.close(() => resolve()) : resolve()));
    await idp?.stop({ removeData: true });
    await o?.stop();
  });

  it('finds every workflow of the case through visibility (CaseId search attribute)', () => {
    const types = new Set(executions.map((e) => e.type));
    expect(types).toEqual(new Set(['caseWorkflow', 'raidOperationWorkflow', 'childProtectionWorkflow']));
    expect(executions.map((e) => e.workflowId)).toEqual(
      expect.arrayContaining([`case-${run.caseId}`, run.protectionWorkflowId]),
    );
  });

  it('stores no personal name or address anywhere in any raw history', () => {
    for (const [id, text] of raw) {
      expect(text.length).toBeGreaterThan(1000);
      for (const secret of SECRETS) {
        if (text.includes(secret)) throw new Error(`${id}: raw history contains "${secret}"`);
      }
    }
  });

  it('stores every data payload encrypted, with the key id (search attributes and SDK markers hold no personal data)', () => {
    const activeKeyId = parseKeyList(TEST_CODEC_KEYS).activeKeyId;
    let encrypted = 0;
    for (const [id, text] of raw) {
      const payloads = findPayloads(JSON.parse(text));
      const data = payloads.filter((p) => payloadKind(p) === 'data');
      expect(data.length).toBeGreaterThan(0);
      for (const p of data) {
        const encoding = fromBase64(p.metadata.encoding);
        if (encoding !== 'binary/encrypted') throw new Error(`${id} ${p.path}: payload encoding is ${encoding}`);
        expect(fromBase64(p.metadata['encryption-key-id'])).toBe(activeKeyId);
        encrypted += 1;
      }
      // Search attributes are plain JSON by design; they are case metadata, never names (checked above too).
      for (const p of payloads.filter((q) => payloadKind(q) === 'search-attribute')) {
        expect(fromBase64(p.metadata.encoding)).toBe('json/plain');
      }
      // So is the SDK core's marker bookkeeping (patch ids, local-activity sequence numbers): nothing else in it.
      for (const p of payloads.filter((q) => payloadKind(q) === 'core-marker')) {
        expect({ id, path: p.path, extra: unexpectedMarkerFields(p) }).toEqual({ id, path: p.path, extra: [] });
      }
    }
    expect(encrypted).toBeGreaterThan(100);
  });

  it('decodes through the codec server with an admin access token: the names are in there, encrypted', async () => {
    const caseRun = executions.find((e) => e.type === 'caseWorkflow' && e.workflowId === `case-${run.caseId}`)!;
    const decoded = await showHistory(address(), caseRun.workflowId, {
      runId: caseRun.runId,
      codecEndpoint: endpoint,
      codecAuth: `Bearer ${adminToken}`,
      raw: false,
    });
    expect(decoded.code).toBe(0);
    const plain = plaintextOf(decoded.stdout);
    // Every name the case took in, back in the clear: the victims, the witness, the suspects.
    for (const name of Object.values(PERSONAL_NAMES)) expect(plain).toContain(name);
    expect(plain).toContain('Jr. Privado 101');

    const protection = executions.find((e) => e.workflowId === run.protectionWorkflowId)!;
    const decodedProtection = await showHistory(address(), protection.workflowId, {
      runId: protection.runId,
      codecEndpoint: endpoint,
      codecAuth: `Bearer ${adminToken}`,
      raw: false,
    });
    expect(decodedProtection.code).toBe(0);
    expect(plaintextOf(decodedProtection.stdout)).toContain('care-plan-approved');
    // Each decode the CLI asked for is on record against the admin who asked.
    const decodes = codecLog.filter((l) => l.operation === 'decode' && l.status === 200);
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((l) => l.auth === 'bearer' && l.staffId === 'admin-1')).toBe(true);
  });

  it('refuses a forged token (401) and a non-admin token (403); the CLI shows no names with either', async () => {
    const forged = `${adminToken.slice(0, -4)}AAAA`;
    const r = await fetch(`${endpoint}/decode`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${forged}`, 'Content-Type': 'application/json' },
      body: '{"payloads":[]}',
    });
    expect(r.status).toBe(401);
    const none = await fetch(`${endpoint}/decode`, { method: 'POST', body: '{"payloads":[]}' });
    expect(none.status).toBe(401);
    const prosecutor = await idp.personToken('fiscal-017');
    const notAdmin = await fetch(`${endpoint}/decode`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${prosecutor}`, 'Content-Type': 'application/json' },
      body: '{"payloads":[]}',
    });
    expect(notAdmin.status).toBe(403);

    const caseRun = executions.find((e) => e.workflowId === `case-${run.caseId}`)!;
    for (const [token, status] of [
      [forged, 401],
      [prosecutor, 403],
    ] as const) {
      const before = codecLog.filter((l) => l.msg === 'codec request refused' && l.status === status).length;
      const cli = await showHistory(address(), caseRun.workflowId, {
        runId: caseRun.runId,
        codecEndpoint: endpoint,
        codecAuth: `Bearer ${token}`,
        raw: false,
      });
      expect(cli.code).not.toBe(0);
      for (const secret of SECRETS) expect(cli.stdout + cli.stderr).not.toContain(secret);
      // The CLI only says its context ran out; the codec server's log shows why: it refused the CLI.
      const refusals = codecLog.filter((l) => l.msg === 'codec request refused' && l.status === status).length;
      expect(refusals - before).toBeGreaterThan(0);
    }
  });
});
