// The workflow bundle's entry point: every workflow type the orchestrator worker runs.
export { caseWorkflow } from './case';
export { raidOperationWorkflow } from './raid-operation';
export { childProtectionWorkflow } from './child-protection';
