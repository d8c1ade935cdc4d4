import { randomBytes } from 'node:crypto';
import { ApplicationFailure, type ProtoFailure } from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  encodeToPayloads,
  decodeArrayFromPayloads,
  loadDataConverter as sdkLoadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { ENCODING_ENCRYPTED } from '../../src/temporal/codec';
import { createDataConverter, FAILURE_CONVERTER_PATH, loadDataConverter } from '../../src/temporal/data-converter';
import { KeyringError, Keyring } from '../../src/temporal/keyring';

const MARKER = 'witness-lives-at-Jr-Los-Olivos-123';

function wireBytes(failure: ProtoFailure): Buffer {
  return Buffer.from(temporal.api.failure.v1.Failure.encode(failure).finish());
}

describe('createDataConverter', () => {
  const converter = sdkLoadDataConverter(createDataConverter(Keyring.fromKeys({ k1: randomBytes(32) }, 'k1')));

  it('loads the encodeCommonAttributes failure converter by path (the SDK has no instance option)', () => {
    expect(FAILURE_CONVERTER_PATH).toMatch(/failure-converter\.(ts|js)$/);
    expect(converter.failureConverter).toHaveProperty('options', { encodeCommonAttributes: true });
  });

  it('encrypts ApplicationFailure messages and stack traces', async () => {
    const error = ApplicationFailure.create({ message: `cannot place minor: ${MARKER}`, type: 'PlacementFailed' });
    const failure = await encodeErrorToFailure(converter, error);

    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const encoding = failure.encodedAttributes?.metadata?.encoding;
    expect(Buffer.from(encoding ?? []).toString()).toBe(ENCODING_ENCRYPTED);
    expect(wireBytes(failure).includes(Buffer.from(MARKER))).toBe(false);
    // The type is not encoded: it drives retry policy on the server, so it must name a class, never data.
    expect(failure.applicationFailureInfo?.type).toBe('PlacementFailed');

    const back = await decodeOptionalFailureToOptionalError(converter, failure);
    expect(back).toBeInstanceOf(ApplicationFailure);
    expect(back?.message).toBe(`cannot place minor: ${MARKER}`);
  });

  it('encrypts ordinary payloads', async () => {
    const payloads = await encodeToPayloads(converter, { victim: MARKER });
    expect(Buffer.from(payloads![0]!.data!).includes(Buffer.from(MARKER))).toBe(false);
    expect(await decodeArrayFromPayloads(converter, payloads)).toEqual([{ victim: MARKER }]);
  });
});

describe('loadDataConverter', () => {
  it('builds from config', () => {
    const dc = loadDataConverter({ CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}` });
    expect(dc.payloadCodecs).toHaveLength(1);
  });

  it('fails without keys instead of running unencrypted', () => {
    expect(() => loadDataConverter({})).toThrow(KeyringError);
  });
});
