/**
 * `cases`: the agencies' command line. JSON in (files or --args), readable tables or --json out, and
 * exit codes scripts can trust: 0 done, 2 invalid input, 3 refused by the case rules, 1 anything else.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CasesClient } from '../client/cases-client';
import { CaseNotFoundError, CommandRefusedError, InvalidInputError } from '../client/errors';
import { ConfigError, loadConfig, type Config } from '../config';
import { parseActor } from '../domain/agencies';
import { CASE_COMMANDS, isCaseCommand } from '../domain/commands';
import { EVENT_CATALOG } from '../domain/events';
import { PERMISSIONS } from '../domain/permissions';
import { resolvePolicy } from '../domain/policy';
import { TASK_COMMANDS } from '../domain/task-commands';
import { connectClient } from '../temporal/connection';
import { keyValues, table } from './format';
import { renderStatus, taskTable } from './render';
import { runNatsVerb } from './nats-verbs';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: Record<string, string | undefined>;
}

const USAGE = `usage:
  cases open --file case.json                     open a case (idempotent)
  cases status <caseId>                           stage, parties by reference, open tasks, clocks
  cases timeline <caseId>                         what happened, by whom, when
  cases list [--stage S] [--agency A] [--jurisdiction J]
  cases protection <caseId> <victimRef>           a rescued minor's protection steps
  cases <command> <caseId> --as AGENCY[:staffId] [--file args.json | --args '{...}'] [--command-id ID]
  cases task claim|complete <taskId> --as AGENCY[:staffId] [--outcome code]
  cases inbox --agency A [--staff S] [--overdue]  open tasks of an agency (from the notifier's inbox)
  cases dead-letters [--agency A]                 notifications that could not be delivered
  cases setup [--auth-config nats.conf]           provision stream, consumers and buckets (idempotent);
                                                  optionally write per-agency NATS users and passwords
  cases commands                                  every command, who may issue it, when, its arguments
  cases events                                    every event type and who receives it
options: --json (machine-readable output), --help`;

const MAX_INPUT_BYTES = 256 * 1024;

function readJsonArg(values: { file?: string; args?: string }): unknown {
  if (values.file && values.args) throw new InvalidInputError('--file and --args: give one, not both');
  const text = values.file ? readInputFile(values.file) : values.args;
  if (text === undefined) return {};
  if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw new InvalidInputError(`input: larger than ${MAX_INPUT_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidInputError(`${values.file ?? '--args'}: not valid JSON (${(err as Error).message})`);
  }
}

function readInputFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new InvalidInputError(`--file: cannot read ${path}`);
  }
}

function loadPolicy(config: Config): ReturnType<typeof resolvePolicy> {
  if (!config.CASE_POLICY_FILE) return resolvePolicy();
  const raw = readJsonArg({ file: config.CASE_POLICY_FILE });
  try {
    return resolvePolicy(raw);
  } catch (err) {
    const issue = err instanceof z.ZodError ? err.issues[0] : undefined;
    throw new InvalidInputError(`CASE_POLICY_FILE: ${issue ? `${issue.path.join('.')}: ${issue.message}` : String(err)}`);
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: 'string' },
      args: { type: 'string' },
      as: { type: 'string' },
      json: { type: 'boolean', default: false },
      'command-id': { type: 'string' },
      outcome: { type: 'string' },
      stage: { type: 'string' },
      agency: { type: 'string' },
      jurisdiction: { type: 'string' },
      staff: { type: 'string' },
      overdue: { type: 'boolean' },
      'auth-config': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const [verb, ...rest] = positionals;
  if (!verb || values.help) {
    io.out(USAGE);
    return verb || values.help ? 0 : 2;
  }
  const print = (human: string, data: unknown) => io.out(values.json ? JSON.stringify(data, null, 2) : human);

  if (verb === 'commands') return printCommands(print);
  if (verb === 'events') return printEvents(print);

  const config = loadConfig(io.env ?? process.env);
  const needs = (n: number, what: string) => {
    if (rest.length < n) throw new InvalidInputError(`${verb}: missing ${what}\n${USAGE}`);
  };

  if (verb === 'inbox' || verb === 'dead-letters' || verb === 'setup') {
    return runNatsVerb(verb, config, values, print);
  }

  const client = new CasesClient(await connectClient(config), config, loadPolicy(config));
  try {
    switch (verb) {
      case 'open': {
        if (!values.file) throw new InvalidInputError('open: --file case.json is required');
        const result = await client.open(readJsonArg(values));
        print(
          result.created
            ? `opened case ${result.caseId} (workflow ${result.workflowId})`
            : `case ${result.caseId} is already open (workflow ${result.workflowId}); nothing changed`,
          result,
        );
        return 0;
      }
      case 'status': {
        needs(1, '<caseId>');
        const s = await client.status(rest[0]!);
        print(renderStatus(s), s);
        return 0;
      }
      case 'timeline': {
        needs(1, '<caseId>');
        const t = await client.timeline(rest[0]!);
        print(table(t.map((e) => ({ at: e.at, type: e.type, by: e.by ? `${e.by.agency}${e.by.staffId ? `:${e.by.staffId}` : ''}` : '', ref: e.ref }))), t);
        return 0;
      }
      case 'list': {
        const items = await client.list({ stage: values.stage, agency: values.agency, jurisdiction: values.jurisdiction });
        print(table(items as unknown as Record<string, unknown>[], ['caseId', 'stage', 'jurisdiction', 'priority', 'status', 'startTime']), items);
        return 0;
      }
      case 'protection': {
        needs(2, '<caseId> <victimRef>');
        const p = await client.protection(rest[0]!, rest[1]!);
        print(`${keyValues({ caseId: p.caseId, victim: p.victimRef, custody: p.custodyRef })}\n\nmilestones:\n${table(Object.entries(p.milestones).map(([m, v]) => ({ milestone: m, ...v })))}\n\nopen tasks:\n${taskTable(p.openTasks)}`, p);
        return 0;
      }
      case 'task': {
        needs(2, 'claim|complete <taskId>');
        const action = rest[0];
        if (action !== 'claim' && action !== 'complete') throw new InvalidInputError('task: action must be claim or complete');
        const actor = actorOf(values.as);
        const task = await client.task(action === 'claim' ? 'claimTask' : 'completeTask', rest[1]!, actor, values.outcome ? { outcome: values.outcome } : {});
        print(`task ${task.id} ${task.status}${task.staffId ? ` (staff ${task.staffId})` : ''}`, task);
        return 0;
      }
      default: {
        if (!isCaseCommand(verb)) throw new InvalidInputError(`unknown command ${verb}\n${USAGE}`);
        needs(1, '<caseId>');
        const result = await client.command(rest[0]!, verb, actorOf(values.as), readJsonArg(values), {
          ...(values['command-id'] ? { commandId: values['command-id'] } : {}),
        });
        print(`${verb} done\n${keyValues(result)}`, result);
        return 0;
      }
    }
  } finally {
    await client.client.connection.close();
  }
}

function actorOf(as: string | undefined) {
  if (!as) throw new InvalidInputError('--as: required, as AGENCY or AGENCY:staffId');
  try {
    return parseActor(as);
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issue = err.issues[0]!;
      throw new InvalidInputError(`--as: ${issue.path.join('.')}: ${issue.message}`);
    }
    throw new InvalidInputError((err as Error).message);
  }
}

function printCommands(print: (human: string, data: unknown) => void): number {
  const rows = Object.entries(CASE_COMMANDS).map(([name, def]) => {
    const p = PERMISSIONS[name as keyof typeof PERMISSIONS];
    return { name, summary: def.summary, agencies: p.agencies, stages: p.stages, args: z.toJSONSchema(def.args, { io: 'input', unrepresentable: 'any' }) };
  });
  const taskRows = Object.entries(TASK_COMMANDS).map(([name, def]) => ({
    name,
    summary: def.summary,
    agencies: ['the assignee (or, once escalated, the escalation agencies)'],
    stages: ['any'],
    args: z.toJSONSchema(def.args, { io: 'input' }),
  }));
  const all = [...rows, ...taskRows];
  print(table(all.map((r) => ({ command: r.name, agencies: r.agencies, summary: r.summary }))), all);
  return 0;
}

function printEvents(print: (human: string, data: unknown) => void): number {
  const rows = Object.entries(EVENT_CATALOG).map(([type, spec]) => ({
    type,
    subject: `cases.<RECIPIENT>.${type}`,
    receivers: 'dynamic' in spec && spec.dynamic ? ['task assignee (+ escalation targets)'] : Object.keys(spec.to),
    views: spec.to,
    summary: spec.summary,
  }));
  print(table(rows.map((r) => ({ type: r.type, receivers: r.receivers, summary: r.summary }))), rows);
  return 0;
}

/** Maps an error to its exit code and a one-line message (never a stack for expected errors). */
export function exitCodeFor(err: unknown, io: CliIo): number {
  if (err instanceof InvalidInputError || err instanceof CommandRefusedError || err instanceof CaseNotFoundError) {
    io.err(`cases: ${err instanceof CommandRefusedError ? `refused (${err.code}): ` : ''}${err.message}`);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    io.err(`cases: ${err.message}`);
    return 2;
  }
  if (err instanceof Error && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`cases: ${err.message}\n${USAGE}`);
    return 2;
  }
  io.err(`cases: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}

/** runCli with every error mapped to its exit code: what the bin and the tests call. */
export function main(argv: string[], io: CliIo): Promise<number> {
  return runCli(argv, io).catch((err: unknown) => exitCodeFor(err, io));
}
