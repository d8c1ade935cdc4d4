import { AccessDeniedError, CaseNotFoundError, CommandRefusedError, InvalidInputError } from '../../src/client/errors';
import { REJECTION_CODES } from '../../src/domain/errors';
import { GatewayProblem, problemOf, STATUS_OF } from '../../src/gateway/problems';
import { commandIdOf } from '../../src/gateway/requests';

describe('gateway problems', () => {
  it('gives every refusal code of the case rules a status: 400, 403, 404, 409 or 422', () => {
    for (const code of REJECTION_CODES) expect([400, 403, 404, 409, 422]).toContain(STATUS_OF[code]);
    expect(STATUS_OF.NOT_PERMITTED).toBe(403);
    expect(STATUS_OF.NOT_FOUND).toBe(404);
  });

  it('maps client errors to problem documents that keep the message and the code', () => {
    expect(problemOf(new CommandRefusedError('WRONG_STAGE', 'openTrial: not allowed'))).toMatchObject({
      status: 409,
      code: 'WRONG_STAGE',
      detail: 'openTrial: not allowed',
    });
    expect(problemOf(new InvalidInputError('args.kind: Invalid option'))).toMatchObject({
      status: 400,
      code: 'INVALID_ARGUMENTS',
    });
    expect(problemOf(new CaseNotFoundError('no case X-1'))).toMatchObject({ status: 404, detail: 'no case X-1' });
    expect(
      problemOf(new GatewayProblem(401, 'UNAUTHENTICATED', 'token', { 'WWW-Authenticate': 'Bearer' })),
    ).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  });

  it('leaves unexpected errors to the 500 path (logged, never shown)', () => {
    expect(problemOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(problemOf(new AccessDeniedError(403, 'client-side only'))).toBeUndefined();
  });
});

describe('command ids at the door', () => {
  it('takes the Idempotency-Key header or the body, and refuses a mismatch or none', () => {
    const id = '9a3c2f55-1b2e-4d6a-9f00-0c1d2e3f4a5b';
    expect(commandIdOf(id, {})).toBe(id);
    expect(commandIdOf(undefined, { commandId: id })).toBe(id);
    expect(commandIdOf(id, { commandId: id })).toBe(id);
    expect(() => commandIdOf(id, { commandId: 'another-id-0001' })).toThrow(/differs from the Idempotency-Key header/);
    expect(() => commandIdOf(undefined, {})).toThrow(/commandId: required/);
    expect(() => commandIdOf('short', {})).toThrow(/Idempotency-Key: must be 8-100/);
  });
});
