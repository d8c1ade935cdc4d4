import { AGENCIES } from '../../src/domain/agencies';
import { subjectsOverlap } from '../../src/nats/stream';
import {
  auditStreamName,
  auditStreamSubjects,
  eventRecipients,
  eventStreamSubjects,
  READERS,
  streamFor,
} from '../../src/nats/subjects';

describe('the subject hierarchy and its two streams', () => {
  it('gives the event stream every recipient but AUDIT, CLEARED included once, and AUDIT its own stream', () => {
    expect(eventRecipients().sort()).toEqual([...AGENCIES, 'CLEARED'].sort());
    expect(eventStreamSubjects()).toContain('cases.CLEARED.>');
    expect(eventStreamSubjects()).not.toContain('cases.AUDIT.>');
    expect(auditStreamSubjects()).toEqual(['cases.AUDIT.>']);
    // The server refuses overlapping streams: none of the event stream's subjects may touch AUDIT.
    for (const s of eventStreamSubjects()) expect(subjectsOverlap(s, 'cases.AUDIT.>')).toBe(false);
  });

  it('stores AUDIT copies in <stream>_AUDIT and everything else in the event stream', () => {
    expect(auditStreamName('CASES')).toBe('CASES_AUDIT');
    expect(streamFor('AUDIT', 'CASES')).toBe('CASES_AUDIT');
    expect(streamFor('POLICE', 'CASES')).toBe('CASES');
    expect(streamFor('CLEARED', 'CASES')).toBe('CASES');
  });

  it('lets the notifier read for every agency and CLEARED', () => {
    expect(READERS).toEqual([...AGENCIES, 'CLEARED']);
  });
});

describe('subjectsOverlap', () => {
  it.each([
    ['cases.>', 'cases.AUDIT.>', true],
    ['cases.*.>', 'cases.AUDIT.x', true],
    ['>', 'anything', true],
    ['cases.POLICE.>', 'cases.AUDIT.>', false],
    ['cases.AUDIT', 'cases.AUDIT.>', false],
    ['cases.AUDIT.x', 'cases.AUDIT.x', true],
    ['cases.AUDIT.x', 'cases.AUDIT.y', false],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(subjectsOverlap(a, b)).toBe(expected);
    expect(subjectsOverlap(b, a)).toBe(expected);
  });
});
