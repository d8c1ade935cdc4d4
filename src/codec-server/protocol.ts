/**
 * Temporal's remote codec protocol body: the Payloads protobuf in proto3 JSON form,
 * `{ "payloads": [{ "metadata": { "encoding": "<base64>" }, "data": "<base64>" }] }`.
 * Proto3 JSON allows standard and URL-safe base64, padded or not; Buffer decodes all of them.
 */
import type { Payload } from '@temporalio/common';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

const payloadJson = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});

// Proto3 JSON leaves out empty repeated fields, so `{}` is an empty Payloads (the Temporal CLI sends exactly that).
export const payloadsBodySchema = z.object({
  payloads: z
    .array(payloadJson)
    .nullish()
    .transform((p) => p ?? []),
});
export type PayloadsBody = z.output<typeof payloadsBodySchema>;

export interface PayloadJson {
  metadata: Record<string, string>;
  data: string;
}

const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

export function payloadsFromJson(body: PayloadsBody): Payload[] {
  return body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));
}

export function payloadsToJson(payloads: Payload[]): { payloads: PayloadJson[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toBase64(v)])),
      data: toBase64(p.data ?? new Uint8Array()),
    })),
  };
}

/** Zod issues as `path: rule` lines; the schemas above never echo the rejected values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ')
    .slice(0, 500);
}
