/**
 * Who may do what on NATS: one source for `cases setup --auth-config`, the production configs (deploy/nats/*.conf
 * include the file it writes) and the tests that prove each refusal against a real server.
 *
 * - admin: everything. Provisions streams, consumers and buckets (setup); reads the audit stream; replays dead
 *   letters. Kept off the running services.
 * - orchestrator: publishes case events and receives their JetStream acks. No `$JS.API` at all.
 * - notifier: pulls, acks, naks and terms its own durable consumers (`agency-<READER>`), and reads and writes its
 *   KV buckets. It cannot create a consumer on the event or audit streams, nor manage, purge or delete anything.
 * - gateway: reads and watches the task inbox bucket, nothing else.
 * - agency-<AGENCY>: pulls and acks its own `direct-<AGENCY>` consumer, nothing else.
 *
 * Every run-time identity receives replies on its own prefix (`_INBOX_<name>`): `_INBOX.>` is shared by every user
 * of an account, so a user allowed it could read the replies (pulled messages included) meant for another.
 */
import { AGENCIES, type Agency } from '../domain/agencies';
import { kvStreamName, notifierBucketNames, type NotifierBuckets } from './buckets';
import { agencyConsumerName, directConsumerName, READERS } from './subjects';

export type Role = 'admin' | 'orchestrator' | 'notifier' | 'gateway' | 'agency';

export interface Permissions {
  publish: string[];
  subscribe: string[];
}

export interface Identity {
  /** User name in logs and the server's monitoring; the file names of its credentials. */
  name: string;
  role: Role;
  agency?: Agency;
  /** Reply prefix the identity must connect with (NATS_INBOX_PREFIX); none for admin, which may use any. */
  inboxPrefix?: string;
  /** Undefined for admin: no restriction. */
  permissions?: Permissions;
}

/** An NKEY user (public key `U...`, preferred) or a password user. */
export type Credential = { nkey: string } | { password: string };

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

export const USER_ADMIN = 'admin';
export const USER_ORCHESTRATOR = 'orchestrator';
export const USER_NOTIFIER = 'notifier';
export const USER_GATEWAY = 'gateway';

export function agencyUserName(agency: Agency): string {
  return `agency-${agency}`;
}

/** The reply prefix of an identity: `_INBOX_POLICE` for an agency, `_INBOX_notifier` for a service. */
export function inboxPrefixOf(name: string, agency?: Agency): string {
  return `_INBOX_${agency ?? name}`;
}

export interface IdentitySpec {
  /** The event stream (NATS_STREAM). */
  stream: string;
  /** Prefix of the notifier's bucket names (tests only). */
  bucketPrefix?: string;
  /** Agencies that get a user of their own; default all. */
  agencies?: readonly Agency[];
}

export function identities(spec: IdentitySpec): Identity[] {
  checkToken('stream', spec.stream);
  const buckets = notifierBucketNames(spec.bucketPrefix);
  const service = (name: string, role: Role, permissions: Permissions): Identity => ({
    name,
    role,
    inboxPrefix: inboxPrefixOf(name),
    permissions,
  });
  return [
    { name: USER_ADMIN, role: 'admin' },
    service(USER_ORCHESTRATOR, 'orchestrator', orchestratorPermissions()),
    service(USER_NOTIFIER, 'notifier', notifierPermissions(spec.stream, buckets)),
    service(USER_GATEWAY, 'gateway', gatewayPermissions(buckets.inbox)),
    ...(spec.agencies ?? AGENCIES).map((agency): Identity => ({
      name: agencyUserName(agency),
      role: 'agency',
      agency,
      inboxPrefix: inboxPrefixOf(agencyUserName(agency), agency),
      permissions: agencyPermissions(agency, spec.stream),
    })),
  ];
}

/** Publishing with acks needs no `$JS.API`: the stream answers on the reply subject. */
export function orchestratorPermissions(): Permissions {
  return { publish: ['cases.>'], subscribe: [`${inboxPrefixOf(USER_ORCHESTRATOR)}.>`] };
}

export function notifierPermissions(stream: string, buckets: Record<keyof NotifierBuckets, string>): Permissions {
  return {
    publish: [
      ...READERS.flatMap((r) => pullConsumer(stream, agencyConsumerName(r))),
      ...Object.values(buckets).flatMap((b) => [...kvRead(b), `$KV.${b}.>`]),
    ],
    subscribe: [`${inboxPrefixOf(USER_NOTIFIER)}.>`],
  };
}

export function gatewayPermissions(inboxBucket: string): Permissions {
  return { publish: kvRead(inboxBucket), subscribe: [`${inboxPrefixOf(USER_GATEWAY)}.>`] };
}

export function agencyPermissions(agency: Agency, stream: string): Permissions {
  return {
    publish: pullConsumer(stream, directConsumerName(agency)),
    subscribe: [`${inboxPrefixOf(agencyUserName(agency), agency)}.>`],
  };
}

/** Read its info, pull the next messages, and ack/nak/term/working them: one durable consumer, nothing more. */
function pullConsumer(stream: string, consumer: string): string[] {
  return [
    `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
    `$JS.ACK.${stream}.${consumer}.>`,
  ];
}

/**
 * Get (direct or via the stream), list keys and watch. Keys and watch run an ordered push consumer on the bucket's
 * own stream, which the client creates, checks, recreates after a gap and answers flow control for.
 */
function kvRead(bucket: string): string[] {
  const stream = kvStreamName(bucket);
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

/** The `authorization { users = [...] }` block: what deploy/nats/*.conf include. */
export function renderAuthorization(
  ids: readonly Identity[],
  credentials: Readonly<Record<string, Credential | undefined>>,
): string {
  const users = ids.map((id) => {
    const credential = credentials[id.name];
    if (!credential) throw new AuthConfigError(`no credential for ${id.name}`);
    const lines = ['    {', `      # ${id.name}`];
    if ('nkey' in credential) {
      if (!/^U[A-Z2-7]{55}$/.test(credential.nkey))
        throw new AuthConfigError(`${id.name}: not an NKEY user public key`);
      lines.push(`      nkey: ${quote(credential.nkey)}`);
    } else {
      checkPassword(id.name, credential.password);
      lines.push(`      user: ${quote(id.name)}`, `      password: ${quote(credential.password)}`);
    }
    if (id.permissions) {
      lines.push(
        '      permissions: {',
        `        publish: { allow: ${list(id.permissions.publish)} }`,
        `        subscribe: { allow: ${list(id.permissions.subscribe)} }`,
        '      }',
      );
    }
    lines.push('    }');
    return lines.join('\n');
  });
  return [
    '# Generated by case-orchestrator (`cases setup --auth-config`, src/nats/auth-config.ts). Do not edit: run setup',
    '# again, which keeps existing keys and rewrites the permissions.',
    'authorization {',
    '  users = [',
    ...users,
    '  ]',
    '}',
    '',
  ].join('\n');
}

export interface NatsServerConfigSpec {
  ids: readonly Identity[];
  credentials: Readonly<Record<string, Credential | undefined>>;
  /** Omit when the server is started with `-sd`: nats-server 2.9 refuses a store dir given twice. */
  storeDir?: string;
  /** host:port; default 127.0.0.1:4222 (command-line `-p`/`-a` still override it). */
  listen?: string;
  serverName?: string;
}

/** A whole server config (development and tests); production includes renderAuthorization's output instead. */
export function renderNatsServerConfig(spec: NatsServerConfigSpec): string {
  return [
    '# Generated by case-orchestrator (src/nats/auth-config.ts).',
    ...(spec.serverName ? [`server_name: ${quote(spec.serverName)}`] : []),
    `listen: ${quote(spec.listen ?? '127.0.0.1:4222')}`,
    ...(spec.storeDir ? ['jetstream {', `  store_dir: ${quote(spec.storeDir)}`, '}'] : ['jetstream: enabled']),
    renderAuthorization(spec.ids, spec.credentials),
  ].join('\n');
}

/**
 * Passwords end up in a config file: keep them to characters that need no escaping (and no `$`, since a leading
 * `$2` would be taken for a bcrypt hash).
 */
function checkPassword(user: string, password: string): void {
  if (!/^[A-Za-z0-9._~+/=-]{16,256}$/.test(password)) {
    throw new AuthConfigError(`password for ${user}: must be 16-256 characters of A-Z a-z 0-9 . _ ~ + / = -`);
  }
}

function checkToken(what: string, value: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new AuthConfigError(`${what} name ${value} is not a plain token`);
}

function quote(s: string): string {
  // The value is not echoed: it may be a password.
  if (/["\\\n\r]/.test(s)) throw new AuthConfigError('config values cannot hold quotes, backslashes or newlines');
  return `"${s}"`;
}

function list(items: readonly string[]): string {
  return `[${items.map(quote).join(', ')}]`;
}
