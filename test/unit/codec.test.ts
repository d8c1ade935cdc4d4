import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  CodecError,
  DecryptionError,
  ENCODING_ENCRYPTED,
  EncryptionCodec,
  INSPECTOR_POLICY,
  WORKER_POLICY,
  METADATA_KEY_ID,
  UnknownKeyIdError,
} from '../../src/temporal/codec';
import { Keyring } from '../../src/temporal/keyring';
import { isUnverified } from '../../src/domain/unverified';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const MARKER = 'VICTIM-NAME-Ana-Maria-Quispe-born-2024-03-01';

const text = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
/** Comparable form: protobufjs hands back Buffers where the converter made Uint8Arrays. */
const comparable = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, text(v)])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('hex'),
});

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(Keyring.fromKeys({ k1 }, 'k1'), INSPECTOR_POLICY);

  it('round-trips payloads, metadata included', async () => {
    const originals = [toPayload({ minor: MARKER, age: 0 }), toPayload(null), toPayload(new Uint8Array([0, 1, 2]))];
    const encoded = await codec.encode(originals);
    expect(encoded).toHaveLength(3);
    expect((await codec.decode(encoded)).map(comparable)).toEqual(originals.map(comparable));
  });

  it('marks output as encrypted with the key id, and leaves no plaintext behind', async () => {
    const [encoded] = await codec.encode([toPayload({ victim: MARKER })]);
    expect(text(encoded?.metadata?.encoding)).toBe(ENCODING_ENCRYPTED);
    expect(text(encoded?.metadata?.[METADATA_KEY_ID])).toBe('k1');
    expect(Object.keys(encoded?.metadata ?? {}).sort()).toEqual(['encoding', METADATA_KEY_ID]);
    // Neither the marker nor the original encoding name appear anywhere in the serialized result.
    const wire = Buffer.from(temporal.api.common.v1.Payload.encode(encoded!).finish());
    expect(wire.includes(Buffer.from(MARKER))).toBe(false);
    expect(wire.includes(Buffer.from(MARKER.slice(7, 19)))).toBe(false);
    expect(wire.includes(Buffer.from('json/plain'))).toBe(false);
  });

  it('uses a fresh IV each time: equal inputs give different ciphertexts', async () => {
    const [a, b] = await codec.encode([toPayload(MARKER), toPayload(MARKER)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rejects tampered ciphertext, IV or tag', async () => {
    const [encoded] = await codec.encode([toPayload({ victim: MARKER })]);
    const data = Buffer.from(encoded!.data!);
    for (const index of [0, 12, Math.floor(data.length / 2), data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index] = tampered[index]! ^ 0x01;
      const p = codec.decode([{ metadata: encoded!.metadata, data: tampered }]);
      await expect(p).rejects.toBeInstanceOf(DecryptionError);
      await expect(codec.decode([{ metadata: encoded!.metadata, data: tampered }])).rejects.toThrow(
        /key id "k1"\) failed authentication/,
      );
    }
  });

  it('rejects truncated data', async () => {
    const [encoded] = await codec.encode([toPayload('x')]);
    await expect(codec.decode([{ metadata: encoded!.metadata, data: encoded!.data!.subarray(0, 20) }])).rejects.toThrow(
      DecryptionError,
    );
  });

  it('passes payloads that are not binary/encrypted through unchanged', async () => {
    const plain = toPayload({ legacy: true });
    const [out] = await codec.decode([plain]);
    expect(out).toBe(plain);
  });

  it('names an unknown key id, and not the data', async () => {
    const other = new EncryptionCodec(Keyring.fromKeys({ k9: randomBytes(32) }, 'k9'), INSPECTOR_POLICY);
    const [encoded] = await other.encode([toPayload(MARKER)]);
    const err = await codec.decode([encoded!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownKeyIdError);
    expect((err as UnknownKeyIdError).keyId).toBe('k9');
    expect((err as Error).message).toContain('unknown key id "k9"');
    expect((err as Error).message).not.toContain(MARKER);
  });

  it('tames a hostile key id in the message', async () => {
    const metadata = { encoding: Buffer.from(ENCODING_ENCRYPTED), [METADATA_KEY_ID]: Buffer.from('x\n'.repeat(40)) };
    const err = (await codec.decode([{ metadata, data: randomBytes(40) }]).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UnknownKeyIdError);
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeLessThan(200);
  });

  it('rejects an encrypted payload without a key id', async () => {
    const metadata = { encoding: Buffer.from(ENCODING_ENCRYPTED) };
    await expect(codec.decode([{ metadata, data: randomBytes(40) }])).rejects.toThrow(CodecError);
  });
});

describe('key rotation', () => {
  it('reads payloads written under an old key and writes new ones under the active key', async () => {
    const before = new EncryptionCodec(Keyring.fromKeys({ k1 }, 'k1'), INSPECTOR_POLICY);
    const [old] = await before.encode([toPayload({ victim: MARKER })]);

    // After rotation: k2 added and made active, k1 kept for reading.
    const after = new EncryptionCodec(Keyring.fromKeys({ k1, k2 }, 'k2'), INSPECTOR_POLICY);
    expect(defaultPayloadConverter.fromPayload((await after.decode([old!]))[0]!)).toEqual({ victim: MARKER });

    const [fresh] = await after.encode([toPayload('new')]);
    expect(text(fresh?.metadata?.[METADATA_KEY_ID])).toBe('k2');
    // And a process that only knows k1 cannot read it.
    await expect(before.decode([fresh!])).rejects.toThrow(UnknownKeyIdError);
  });

  it('detects the same id bound to a different key', async () => {
    const [encoded] = await new EncryptionCodec(Keyring.fromKeys({ k1 }, 'k1')).encode([toPayload(MARKER)]);
    const impostor = new EncryptionCodec(Keyring.fromKeys({ k1: k2 }, 'k1'), INSPECTOR_POLICY);
    await expect(impostor.decode([encoded!])).rejects.toThrow(DecryptionError);
  });
});

describe('what a worker does with a payload it cannot authenticate (WORKER_POLICY)', () => {
  const worker = new EncryptionCodec(Keyring.fromKeys({ k1 }, 'k1'), WORKER_POLICY);
  const read = async (p: Parameters<typeof worker.decode>[0][number]) =>
    defaultPayloadConverter.fromPayload((await worker.decode([p]))[0]!);

  it('marks plaintext as unverified instead of passing it on, and never echoes it', async () => {
    const marked = await read(toPayload({ actor: { agency: 'JUDICIARY' }, victim: MARKER }));
    expect(isUnverified(marked)).toBe(true);
    expect(marked).toEqual({ $unverified: 'plaintext', detail: 'payload is not encrypted' });
  });

  it('marks a forged or undecryptable payload, naming the key id only', async () => {
    const metadata = { encoding: Buffer.from(ENCODING_ENCRYPTED), [METADATA_KEY_ID]: Buffer.from('k1') };
    expect(await read({ metadata, data: randomBytes(64) })).toMatchObject({ $unverified: 'undecryptable' });
    const [other] = await new EncryptionCodec(Keyring.fromKeys({ k9: randomBytes(32) }, 'k9')).encode([
      toPayload(MARKER),
    ]);
    const marked = (await read(other!)) as { detail: string };
    expect(marked).toMatchObject({ $unverified: 'undecryptable' });
    expect(marked.detail).toContain('unknown key id "k9"');
    expect(JSON.stringify(marked)).not.toContain(MARKER);
  });

  it('still reads what the deployment wrote', async () => {
    const [encoded] = await worker.encode([toPayload({ victim: MARKER })]);
    expect(await read(encoded!)).toEqual({ victim: MARKER });
  });

  it('tells its observer of every marked payload, without content', async () => {
    const seen: string[] = [];
    const observed = new EncryptionCodec(Keyring.fromKeys({ k1 }, 'k1'), {
      ...WORKER_POLICY,
      onMarked: (r, d) => seen.push(`${r}: ${d}`),
    });
    await observed.decode([toPayload(MARKER)]);
    expect(seen).toEqual(['plaintext: payload is not encrypted']);
  });
});
