/**
 * The shapes of the identifiers that appear in our URLs and forms. They only keep junk out of pages and logs: the
 * API validates every id strictly when the web app passes it on, with the domain's own rules.
 */
export const TASK_ID = /^[A-Za-z0-9_-]{1,180}~T\d{1,6}$/;
export const CASE_ID = /^[A-Z0-9][A-Z0-9-]{2,62}[A-Z0-9]$/;
export const COMMAND_ID = /^[A-Za-z0-9_.:-]{8,100}$/;

export const isTaskId = (v: unknown): v is string => typeof v === 'string' && TASK_ID.test(v);
export const isCaseId = (v: unknown): v is string => typeof v === 'string' && CASE_ID.test(v);
export const isCommandId = (v: unknown): v is string => typeof v === 'string' && COMMAND_ID.test(v);
