/**
 * The integration harness itself: the global setup's servers answer, carry the project's search
 * attributes, and come back from a restart with their data — what every fault test relies on.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { Client, Connection } from '@temporalio/client';
import { INDEXED_VALUE_TYPE, SEARCH_ATTRIBUTES } from '../support/search-attributes';
import { testStack } from '../support/stack';

const stack = testStack();

describe('Temporal dev server', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  });
  afterAll(() => connection?.close());

  it('is the one the global setup started, and answers', async () => {
    expect(process.env.TEMPORAL_ADDRESS).toBe(stack.temporalAddress);
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    const { namespaces } = await connection.workflowService.listNamespaces({});
    expect(namespaces.map((n) => n.namespaceInfo?.name)).toContain('default');
  });

  it('has every custom search attribute of src/temporal/search-attributes.json, with its type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      expect({ name, type: customAttributes?.[name] }).toEqual({ name, type: INDEXED_VALUE_TYPE[type] });
    }
  });

  it('keeps workflows across a restart, and the same connection works afterwards', async () => {
    const client = new Client({ connection });
    const workflowId = `harness-restart-${Date.now()}`;
    // No worker polls this queue: the workflow just sits in history, which is all this test needs.
    const handle = await client.workflow.start('harnessProbe', { taskQueue: 'harness-probe', workflowId, args: [] });
    try {
      await stack.restartTemporal();
      const description = await handle.describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await handle.terminate('harness test done');
    }
  });
});

describe('nats-server', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    // Reconnect forever, as the services do: the restart test below takes the server away for a moment.
    nc = await connect({ servers: process.env.NATS_URL, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(() => nc?.close());

  it('is a private server with JetStream, not the shared one on 4222', async () => {
    expect(process.env.NATS_URL).toBe(stack.natsUrl);
    expect(process.env.NATS_URL).not.toMatch(/:4222$/);
    const jsm = await jetstreamManager(nc);
    const account = await jsm.getAccountInfo();
    expect(account.streams).toBeGreaterThanOrEqual(0);
    expect(nc.info?.jetstream).toBe(true);
  });

  it('keeps streams and messages across a restart on the same port', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
    await jetstream(nc).publish('harness.probe', 'before restart');

    // A JetStream publish made while the client is still reconnecting can time out (its reply is lost):
    // the services retry with the same Nats-Msg-Id; this test just waits for the client to be back.
    const reconnected = (async () => {
      for await (const s of nc.status()) if (s.type === 'reconnect') return;
    })();
    await stack.restartNats({ downMs: 200 });
    await reconnected;

    const js = jetstream(nc);
    const ack = await js.publish('harness.probe', 'after restart');
    expect(ack.seq).toBe(2);
    const stream = await jsm.streams.info('HARNESS');
    expect(stream.state.messages).toBe(2);
    await jsm.streams.delete('HARNESS');
  });
});
