/**
 * The Temporal CLI as an admin uses it, for tests about what is stored in Temporal: list a case's workflows
 * through visibility, print raw histories (ciphertext as stored), or decoded through a codec server.
 */
import { execFile } from 'node:child_process';
import { temporalBinary } from './servers';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `temporal <args>`; never throws on a non-zero exit (tests assert on failures too). */
export function temporalCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      temporalBinary(),
      args,
      { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export interface Execution {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
}

/** Every run (all workflow ids, every continue-as-new run) whose CaseId search attribute is `caseId`. */
export async function caseExecutions(address: string, caseId: string): Promise<Execution[]> {
  const r = await temporalCli([
    'workflow',
    'list',
    '--address',
    address,
    '--query',
    `CaseId = '${caseId}'`,
    '--output',
    'json',
    '--limit',
    '1000',
  ]);
  if (r.code !== 0) throw new Error(`temporal workflow list failed (${r.code}): ${r.stderr}`);
  const rows = JSON.parse(r.stdout.trim() || '[]') as {
    execution: { workflowId: string; runId: string };
    type: { name: string };
    status: string;
  }[];
  return rows.map((row) => ({
    workflowId: row.execution.workflowId,
    runId: row.execution.runId,
    type: row.type.name,
    status: row.status,
  }));
}

export interface ShowOptions {
  runId?: string;
  /** Decode through this codec server (the CLI calls <endpoint>/decode). */
  codecEndpoint?: string;
  codecAuth?: string;
  /** Raw payloads (metadata + base64 data) even in JSON output; default true, i.e. exactly what is stored. */
  raw?: boolean;
}

/** `temporal workflow show --output json` for one run. */
export function showHistory(address: string, workflowId: string, opts: ShowOptions = {}): Promise<CliResult> {
  const args = ['workflow', 'show', '--address', address, '-w', workflowId, '--output', 'json'];
  if (opts.runId) args.push('-r', opts.runId);
  if (opts.raw ?? true) args.push('--no-json-shorthand-payloads');
  if (opts.codecEndpoint) args.push('--codec-endpoint', opts.codecEndpoint);
  if (opts.codecAuth) args.push('--codec-auth', opts.codecAuth);
  return temporalCli(args);
}

export interface FoundPayload {
  /** JSON path from the history root, e.g. events.0.workflowExecutionStartedEventAttributes.input.payloads.0 */
  path: string;
  metadata: Record<string, string>;
  data?: string;
}

/** Every Payload object (a `metadata` map of base64 strings, maybe `data`) anywhere in a raw JSON history. */
export function findPayloads(node: unknown, path = ''): FoundPayload[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => findPayloads(v, `${path}.${i}`));
  if (!node || typeof node !== 'object') return [];
  const obj = node as Record<string, unknown>;
  const metadata = obj.metadata;
  if (
    metadata &&
    typeof metadata === 'object' &&
    !Array.isArray(metadata) &&
    typeof (metadata as Record<string, unknown>).encoding === 'string'
  ) {
    return [
      {
        path: path.replace(/^\./, ''),
        metadata: metadata as Record<string, string>,
        ...(typeof obj.data === 'string' ? { data: obj.data } : {}),
      },
    ];
  }
  return Object.entries(obj).flatMap(([k, v]) => findPayloads(v, `${path}.${k}`));
}

export const fromBase64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

/**
 * Payloads that legitimately stay plain JSON in a history, because the SDK core writes them without the codec:
 * - search attributes (visibility needs them in the clear; by rule they hold no personal data);
 * - core's marker bookkeeping: `patched()` markers (`patch-data`: the patch id) and local-activity markers
 *   (`data`: sequence number, attempt, activity id and type, timestamps). The local activity's *result* in the same
 *   marker goes through the codec like any other payload.
 * Anything else must be encrypted.
 */
export type PayloadKind = 'search-attribute' | 'core-marker' | 'data';

const CORE_MARKER_FIELDS: Record<string, readonly string[]> = {
  'patch-data': ['id', 'deprecated'],
  data: ['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'backoff', 'original_schedule_time'],
};

export function payloadKind(p: FoundPayload): PayloadKind {
  if (/(^|\.)(searchAttributes|indexedFields)(\.|$)/.test(p.path)) return 'search-attribute';
  const marker = /markerRecordedEventAttributes\.details\.([^.]+)\.payloads\.\d+$/.exec(p.path);
  if (marker && CORE_MARKER_FIELDS[marker[1]!] && fromBase64(p.metadata.encoding) === 'json/plain')
    return 'core-marker';
  return 'data';
}

/** For a core-marker payload: the fields it holds beyond core's known bookkeeping (should be none). */
export function unexpectedMarkerFields(p: FoundPayload): string[] {
  const detail = /details\.([^.]+)\.payloads/.exec(p.path)?.[1] ?? '';
  const allowed = CORE_MARKER_FIELDS[detail] ?? [];
  const value = JSON.parse(fromBase64(p.data)) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return ['(not an object)'];
  return Object.keys(value).filter((k) => !allowed.includes(k));
}
