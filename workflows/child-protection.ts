/**
 * childProtectionWorkflow: the protection of one rescued minor (the rules: src/domain/protection.ts). It
 * outlives the criminal case (started with ParentClosePolicy ABANDON) and ends when every step is done.
 */
import { setHandler } from '@temporalio/workflow';
import type { ProtectionStart } from '../src/domain/commands/define';
import {
  isProtectionDone,
  onStepCompleted,
  openProtectionState,
  protectionSnapshot,
  referMinor,
  type ProtectionSnapshot,
} from '../src/domain/protection';
import { onTaskDeadline } from '../src/domain/task-ops';
import { assertVerified } from '../src/domain/unverified';
import { protectionSnapshotQuery } from './messages';
import { OwnerRuntime } from './owner-runtime';

export async function childProtectionWorkflow(input: ProtectionStart): Promise<ProtectionSnapshot> {
  assertVerified(input);
  const state = openProtectionState(input);
  const runtime = new OwnerRuntime(state, (deadline, now) => onTaskDeadline(state, deadline, now));

  // Message-handling API
  runtime.handleTaskCommands((task, now) => onStepCompleted(state, task, now));
  setHandler(protectionSnapshotQuery, () => protectionSnapshot(state));

  // Main workflow logic
  let closing = false;
  const publishing = runtime.publishLoop(() => closing);
  referMinor(state, input.takenAt, Date.now());
  await runtime.deadlineLoop(() => isProtectionDone(state));
  closing = true;
  await publishing;
  return protectionSnapshot(state);
}
