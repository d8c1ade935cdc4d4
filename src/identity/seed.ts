/**
 * The development identity provider's seed (deploy/identity/dev-seed.json): dev accounts per agency and role,
 * and the OAuth clients. It is committed, so its schema is strict: an unknown field (a `password`, a
 * `secret`) is an error, and secrets live in the generated secrets file instead (secrets.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Agency, AGENCY_ROLES, Role, StaffId } from '../domain/agencies';

const clientId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and -');
const uriTemplate = z
  .string()
  .regex(/^(\{(GATEWAY_URL|CODEC_SERVER_URL)\}|https?:\/\/)[^\s]*$/, 'must be an http(s) URL');

const account = z
  .object({
    /** What a person types (or picks) on the dev login page. */
    username: StaffId,
    /** The token subject: stable and opaque, as directory ids are (never the staff id itself). */
    subject: z.string().regex(/^[0-9a-f-]{36}$/, 'must be a UUID'),
    staffId: StaffId,
    agency: Agency.optional(),
    roles: z.array(Role).min(1).max(10),
    locale: z.enum(['es', 'en']),
    email: z.string().regex(/^[a-z0-9.-]+@example\.org$/, 'dev accounts use example.org addresses'),
  })
  .strict();

const scriptClient = z
  .object({
    clientId,
    name: z.string().min(1).max(100),
    type: z.literal('script'),
    agency: Agency,
    roles: z.array(Role).min(1).max(10),
  })
  .strict();

const cliClient = z
  .object({
    clientId,
    name: z.string().min(1).max(100),
    type: z.literal('cli'),
    /** Loopback redirects: any port is accepted for these (RFC 8252 section 7.3). */
    redirectUris: z.array(z.string().regex(/^http:\/\/127\.0\.0\.1\/[\w/-]*$/, 'must be http://127.0.0.1/<path>')),
  })
  .strict();

const webClient = z
  .object({
    clientId,
    name: z.string().min(1).max(100),
    type: z.literal('web'),
    redirectUris: z.array(uriTemplate).min(1),
    postLogoutRedirectUris: z.array(uriTemplate).default([]),
    refreshTokens: z.boolean().default(true),
    /** Consent is skipped for first-party clients (all of ours); a third-party one gets the consent page. */
    firstParty: z.boolean().default(true),
  })
  .strict();

const client = z.discriminatedUnion('type', [scriptClient, cliClient, webClient]);

const seedSchema = z
  .object({
    $comment: z.string().optional(),
    accounts: z.array(account).min(1),
    clients: z.array(client).min(1),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const unique = (values: string[], what: string) => {
      const seen = new Set<string>();
      for (const v of values) {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', message: `duplicate ${what} ${v}` });
        seen.add(v);
      }
    };
    unique(
      seed.accounts.map((a) => a.username),
      'username',
    );
    unique(
      seed.accounts.map((a) => a.subject),
      'subject',
    );
    unique(
      seed.clients.map((c) => c.clientId),
      'client id',
    );
    // The same rule as the token verifier applies: a role belongs to the agency (or is admin, which has none).
    const check = (who: string, agency: Agency | undefined, roles: Role[]) => {
      for (const role of roles) {
        const ok =
          role === 'admin' ? true : agency !== undefined && (AGENCY_ROLES[agency] as readonly string[]).includes(role);
        if (!ok)
          ctx.addIssue({ code: 'custom', message: `${who}: role ${role} does not belong to ${agency ?? 'no agency'}` });
      }
    };
    for (const a of seed.accounts) check(a.username, a.agency, a.roles);
    for (const c of seed.clients) if (c.type === 'script') check(c.clientId, c.agency, c.roles);
  });

export type DevSeed = z.output<typeof seedSchema>;
export type DevAccount = DevSeed['accounts'][number];
export type DevClient = DevSeed['clients'][number];

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

export function parseSeed(json: unknown): DevSeed {
  const parsed = seedSchema.safeParse(json);
  if (!parsed.success) {
    throw new SeedError(
      `invalid identity seed: ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || 'seed'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

export function loadSeed(file: string): DevSeed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SeedError(`identity seed ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parseSeed(JSON.parse(text));
  } catch (err) {
    if (err instanceof SeedError) throw err;
    throw new SeedError(`identity seed ${file} is not JSON`);
  }
}

export interface SeedUrls {
  GATEWAY_URL: string;
  CODEC_SERVER_URL: string;
}

/** Fills {GATEWAY_URL} and {CODEC_SERVER_URL} in redirect URIs (the configured URLs, without a trailing slash). */
export function resolveUri(template: string, urls: SeedUrls): string {
  return template.replace(/\{(GATEWAY_URL|CODEC_SERVER_URL)\}/g, (_, name: keyof SeedUrls) =>
    urls[name].replace(/\/+$/, ''),
  );
}

/** Client ids that get a generated secret: every client but the public CLI. */
export function confidentialClientIds(seed: DevSeed): string[] {
  return seed.clients.filter((c) => c.type !== 'cli').map((c) => c.clientId);
}
