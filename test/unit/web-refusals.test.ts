import { commandCatalogue } from '../../src/domain/catalogue';
import { onlyWho, refusalOf, whoInWords } from '../../src/web/refusals';

const who = (name: string) => commandCatalogue().find((c) => c.name === name)!.who;

describe('refusals in plain words', () => {
  it('says who may, from the permission matrix, in each language', () => {
    expect(onlyWho('es', 'approveWarrant', who('approveWarrant'))).toBe('Solo un juez puede aprobar una orden.');
    expect(onlyWho('en', 'approveWarrant', who('approveWarrant'))).toBe('Only a judge can approve a warrant.');
    expect(onlyWho('es', 'endDetention', who('endDetention'))).toBe('Solo un juez puede poner fin a una detención.');
    expect(whoInWords('es', who('fileCharges'))).toBe('un fiscal o un fiscal coordinador');
    expect(whoInWords('en', who('fileCharges'))).toBe('a prosecutor or a coordinating prosecutor');
  });

  it('builds a NOT_PERMITTED refusal from its code and the matrix, never from the API text', () => {
    const problem = {
      status: 403,
      code: 'NOT_PERMITTED',
      detail: 'approveWarrant: only a judge (JUDICIARY) may do this (you: ...)',
    };
    const es = refusalOf('es', problem, { command: 'approveWarrant', who: who('approveWarrant') });
    expect(es).toEqual({ title: 'No permitido', message: 'Solo un juez puede aprobar una orden.' });
  });

  it('keeps the API validation message word for word, and says other refusals under their heading', () => {
    const invalid = {
      status: 400,
      code: 'INVALID_ARGUMENTS',
      detail: 'args.validFor: must be a duration such as 500ms, 30s, 5m, 2h or 7d',
    };
    expect(refusalOf('es', invalid)).toEqual({ title: 'Corrija el formulario', message: invalid.detail });
    const conflict = { status: 409, code: 'CONFLICT', detail: 'warrantRef: warrant W-3 was already approved' };
    expect(refusalOf('en', conflict)).toEqual({
      title: 'This conflicts with the state of the case',
      message: 'The case rules said: warrantRef: warrant W-3 was already approved',
    });
    expect(refusalOf('en', { status: 503, code: 'IDENTITY_UNAVAILABLE', detail: 'x' }).message).toMatch(/unavailable/);
  });
});
