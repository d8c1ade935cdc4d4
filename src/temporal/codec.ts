/**
 * AES-256-GCM payload codec. Every payload leaving the process (workflow and activity arguments, results,
 * signals, updates, memos, failure attributes) is encrypted with the keyring's active key; the key id travels in
 * the payload metadata so that payloads written before a rotation still decrypt.
 *
 * Wire format (the same as Temporal's encryption samples, so other SDKs can share the keys):
 *   metadata: encoding = "binary/encrypted", encryption-key-id = "<id>"
 *   data:     iv (12 bytes) | ciphertext | GCM tag (16 bytes)
 * The plaintext is the whole original Payload protobuf, so its metadata (the original encoding, message type
 * names) is hidden too.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { UNVERIFIED, type UnverifiedReason } from '../domain/unverified';
import { KEY_ID_PATTERN, type Keyring } from './keyring';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const ProtoPayload = temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class CodecError extends Error {
  override readonly name: string = 'CodecError';
}

/** The payload names a key this process does not have (an old key dropped too early, or another keyring). */
export class UnknownKeyIdError extends CodecError {
  override readonly name = 'UnknownKeyIdError';
  constructor(readonly keyId: string) {
    super(`payload is encrypted with unknown key id ${printableId(keyId)}; add that key to the keyring to read it`);
  }
}

/** Authentication failed: the data was altered or truncated, or the key under that id is not the one used. */
export class DecryptionError extends CodecError {
  override readonly name = 'DecryptionError';
}

/** Key ids come from payload metadata, which anyone able to call the codec server controls: print them tamed. */
function printableId(id: string): string {
  return KEY_ID_PATTERN.test(id) ? `"${id}"` : `${JSON.stringify(id.slice(0, 32))}${id.length > 32 ? '...' : ''}`;
}

/**
 * What decode does with a payload it cannot authenticate. AES-GCM proves a payload was written by a holder
 * of the deployment's keys, so a worker treats anything else as untrusted input:
 * - `pass`: hand it on as it is (the codec server, showing an admin what a history really holds);
 * - `mark`: replace it with the `$unverified` marker of src/domain/unverified.ts, which every validator
 *   refuses and every signal handler ignores, so a forged or malformed message can never fail a workflow
 *   task; replaying our own history without its key still fails loudly (handlers throw on the marker);
 * - `throw`: a CodecError.
 */
export interface UnverifiedPolicy {
  plaintext: 'pass' | 'mark' | 'throw';
  undecryptable: 'mark' | 'throw';
  /** Told of every payload marked (for a log line; never the content). */
  onMarked?: (reason: UnverifiedReason, detail: string) => void;
}

/** Workers: nothing unauthenticated gets in, and nothing can wedge a case. */
export const WORKER_POLICY: UnverifiedPolicy = { plaintext: 'mark', undecryptable: 'mark' };
/** The codec server shows histories as stored: plaintext as it is, a failure as an error. */
export const INSPECTOR_POLICY: UnverifiedPolicy = { plaintext: 'pass', undecryptable: 'throw' };

export class EncryptionCodec implements PayloadCodec {
  constructor(
    readonly keyring: Keyring,
    private readonly unverified: UnverifiedPolicy = WORKER_POLICY,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encryptOne(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decodeOne(p));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING];
    if (!encoding || fromUtf8.decode(encoding) !== ENCODING_ENCRYPTED) {
      if (this.unverified.plaintext === 'pass') return payload;
      if (this.unverified.plaintext === 'throw') throw new CodecError('payload is not encrypted');
      return this.mark('plaintext', 'payload is not encrypted');
    }
    try {
      return this.decryptOne(payload);
    } catch (err) {
      if (this.unverified.undecryptable === 'throw' || !(err instanceof CodecError)) throw err;
      return this.mark('undecryptable', err.message);
    }
  }

  private mark(reason: UnverifiedReason, detail: string): Payload {
    this.unverified.onMarked?.(reason, detail);
    return {
      metadata: { [METADATA_ENCODING]: utf8.encode('json/plain') },
      data: utf8.encode(JSON.stringify({ [UNVERIFIED]: reason, detail })),
    };
  }

  private encryptOne(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const plaintext = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.keyring.activeKey, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING]: utf8.encode(ENCODING_ENCRYPTED),
        [METADATA_KEY_ID]: utf8.encode(keyId),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decryptOne(payload: Payload): Payload {
    const rawId = payload.metadata?.[METADATA_KEY_ID];
    if (!rawId) throw new CodecError(`encrypted payload has no ${METADATA_KEY_ID} metadata`);
    const keyId = fromUtf8.decode(rawId);
    const key = this.keyring.get(keyId);
    if (!key) throw new UnknownKeyIdError(keyId);

    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new DecryptionError(`encrypted payload (key id ${printableId(keyId)}) is too short to be valid`);
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv(CIPHER, key, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new DecryptionError(
        `encrypted payload (key id ${printableId(keyId)}) failed authentication: altered, truncated or wrong key`,
      );
    }
    const decoded = ProtoPayload.decode(plaintext);
    // A plain object, not the protobufjs message: callers (and the codec server's JSON) expect the IPayload shape.
    const out: Payload = { metadata: decoded.metadata, data: decoded.data };
    if (decoded.externalPayloads?.length) out.externalPayloads = decoded.externalPayloads;
    return out;
  }
}
