/**
 * The one DataConverter for every Temporal client and worker in this project: payloads encrypted by the
 * EncryptionCodec, failure messages and stack traces encoded (and therefore encrypted) too.
 *
 * Workers: pass it as `Worker.create({ dataConverter })`. With `workflowsPath` the SDK bundles the failure
 * converter into the workflow sandbox by itself; with a prebuilt `workflowBundle`, pass
 * `failureConverterPath: FAILURE_CONVERTER_PATH` to `bundleWorkflowCode` as well, or workflow failures leave the
 * sandbox in plain text.
 */
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { EncryptionCodec, type UnverifiedPolicy } from './codec';
import { loadKeyring, type Keyring } from './keyring';

/**
 * Absolute path of the module exporting `failureConverter`. Resolved rather than hard-coded so that it points at
 * the .ts file under ts tooling (jest, the workflow bundler) and at the .js file in dist/.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** Clients (the gateway, admin tooling) read only what our workers wrote: anything else is an error. */
export const CLIENT_POLICY: UnverifiedPolicy = { plaintext: 'throw', undecryptable: 'throw' };

/** `unverified` says what decoding does with a payload it cannot authenticate (workers: WORKER_POLICY). */
export function createDataConverter(keyring: Keyring, unverified: UnverifiedPolicy = CLIENT_POLICY): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(keyring, unverified)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

/**
 * Keyring from CODEC_KEYS / CODEC_KEY_FILE, then the DataConverter. Throws KeyringError when no usable key is
 * configured: there is no unencrypted mode. (Not to be confused with the SDK's internal `loadDataConverter`.)
 */
export function loadDataConverter(
  config: Pick<Config, 'CODEC_KEYS' | 'CODEC_KEY_FILE'>,
  unverified: UnverifiedPolicy = CLIENT_POLICY,
): DataConverter {
  return createDataConverter(loadKeyring(config), unverified);
}
