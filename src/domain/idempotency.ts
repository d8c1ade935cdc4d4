/**
 * The command id's schema, for the gateway and clients. What the workflow does with command ids
 * (fingerprints, recall, remember) is in recent-commands.ts, re-exported here.
 */
import { z } from 'zod';

export * from './recent-commands';

export const CommandId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,100}$/, 'must be 8-100 letters, digits, _ . : or - (a UUID is fine)');
