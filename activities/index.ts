/** Activities are built with their dependencies (one NATS connection per worker process). */
import { publishCaseEventsActivity, type PublishDeps } from './publish';

export function createActivities(deps: PublishDeps) {
  return { publishCaseEvents: publishCaseEventsActivity(deps) };
}

export type CaseActivities = ReturnType<typeof createActivities>;
export type { PublishCaseEventsInput, PublishCaseEventsResult } from './publish';
