/**
 * Codes against the case's vocabulary (its policy's: fixed when the case opened). The schemas check that a
 * code is well formed; the commands check here that the case knows it, in the validator, and refuse an
 * unknown one as invalid input, with the list of the codes it may take.
 */
import { VOCABULARY_NAMES, type VocabularyList } from './deadline-policy';
import { reject } from './errors';
import type { TaskOwnerState } from './state';

/** Refuses the first code not in the case's `list`: `args.roles.1: must be one of the case's suspect roles: ...`. */
export function checkCodes(
  state: Pick<TaskOwnerState, 'policy'>,
  list: VocabularyList,
  codes: string | readonly string[],
  field: string,
): void {
  const known = state.policy.vocabulary[list];
  const each = typeof codes === 'string' ? [codes] : codes;
  each.forEach((code, i) => {
    if (known.includes(code)) return;
    const at = typeof codes === 'string' ? field : `${field}.${i}`;
    reject('INVALID_ARGUMENTS', `${at}: must be one of the case's ${VOCABULARY_NAMES[list]}: ${known.join(', ')}`);
  });
}
