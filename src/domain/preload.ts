/**
 * The part of src/domain that workflow code runs. The orchestrator worker preloads this module (the SDK's
 * `preloadModules`, see src/temporal/worker.ts): it and everything it imports are evaluated once per
 * worker thread and shared, frozen, by every workflow the thread runs, instead of once per cached case.
 * So everything reachable from here must be side-effect-free data and pure functions, with no state of
 * its own and no zod (test/unit/workflow-bundle.test.ts checks that the workflows reach no domain
 * module this does not).
 */
export * as caseState from './case-state';
export * as decide from './commands/decide';
export * as operation from './commands/operation';
export * as registry from './commands/registry';
export * as deadlines from './deadlines';
export * as errors from './errors';
export * as inputSchemas from './input-schemas';
export * as protection from './protection';
export * as raid from './raid';
export * as stages from './stages';
export * as state from './state';
export * as taskOps from './task-ops';
export * as taskUpdates from './task-updates';
export * as unverified from './unverified';
