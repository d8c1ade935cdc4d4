/** Temporal connections from configuration: local dev server by default, TLS and API key for real
 * clusters. Every client gets the encrypting DataConverter; there is no plaintext mode. */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { Config } from '../config';
import { loadDataConverter } from './data-converter';

/**
 * The options client and worker connections share. mTLS when a client certificate is configured (production:
 * the frontend accepts only certificates of our private CA, so only the gateway, the workers and admin tooling
 * get in); TEMPORAL_TLS_CA names that CA, and TEMPORAL_TLS_SERVER_NAME the name on the frontend's certificate
 * when it differs from the address's host.
 */
export function connectionOptions(config: Config): { address: string; tls?: TLSConfig | boolean; apiKey?: string } {
  const wantsTls =
    config.TEMPORAL_TLS ||
    config.TEMPORAL_API_KEY ||
    config.TEMPORAL_TLS_CA ||
    (config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY);
  const tls: TLSConfig | undefined = wantsTls
    ? {
        ...(config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
          ? {
              clientCertPair: {
                crt: readFileSync(config.TEMPORAL_TLS_CERT),
                key: readFileSync(config.TEMPORAL_TLS_KEY),
              },
            }
          : {}),
        ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: readFileSync(config.TEMPORAL_TLS_CA) } : {}),
        ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : undefined;
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(tls ? { tls: Object.keys(tls).length > 0 ? tls : true } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

export async function connectClient(config: Config): Promise<Client> {
  const dataConverter = loadDataConverter(config);
  const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: '5s' });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
}
