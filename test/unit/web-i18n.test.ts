import {
  acceptedLanguages,
  catalogueKeys,
  chooseLanguage,
  languageForJurisdiction,
  t,
  template,
  tMaybe,
  tPlural,
  type MessageKey,
} from '../../src/web/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('have the same keys in Spanish and English, with the same placeholders', () => {
    expect(catalogueKeys('es').sort()).toEqual(catalogueKeys('en').sort());
    for (const key of catalogueKeys('en') as MessageKey[]) {
      expect({ key, p: placeholders(template('es', key)) }).toEqual({ key, p: placeholders(template('en', key)) });
    }
  });

  it('fill placeholders and choose plural forms by the language', () => {
    expect(t('es', 'refusal.only', { who: 'un juez', action: 'aprobar una orden' })).toBe(
      'Solo un juez puede aprobar una orden.',
    );
    expect(tPlural('es', 'inbox.count', 1)).toBe('1 tarea pendiente');
    expect(tPlural('es', 'inbox.count', 3)).toBe('3 tareas pendientes');
    expect(tPlural('en', 'inbox.count', 0)).toBe('0 open tasks');
    expect(tMaybe('en', 'kind.no-such-kind', { ref: 'X' }, 'fallback')).toBe('fallback');
  });
});

describe('choosing a language', () => {
  it('reads Accept-Language by quality, primary subtags only, ignoring junk', () => {
    expect(acceptedLanguages('fr-CH, en;q=0.8, es-PE;q=0.9, *;q=0.1')).toEqual(['fr', 'es', 'en', '*']);
    expect(acceptedLanguages('en;q=0, es')).toEqual(['es']);
    expect(acceptedLanguages('<script>, en')).toEqual(['en']);
    expect(acceptedLanguages(undefined)).toEqual([]);
    expect(acceptedLanguages('x'.repeat(10_000))).toEqual([]);
  });

  it("prefers the person's choice, then their preference, then the browser, then the jurisdiction", () => {
    const browser = 'en-GB,en;q=0.9';
    expect(chooseLanguage({ chosen: 'en', preferred: 'es', acceptLanguage: 'es', fallback: 'es' })).toBe('en');
    expect(chooseLanguage({ preferred: 'es', acceptLanguage: browser, fallback: 'en' })).toBe('es');
    expect(chooseLanguage({ acceptLanguage: browser, fallback: 'es' })).toBe('en');
    expect(chooseLanguage({ acceptLanguage: 'fr, de', fallback: 'es' })).toBe('es');
  });

  it('defaults Spanish for Peruvian (and other Spanish-speaking) jurisdictions', () => {
    expect(languageForJurisdiction('PE-LIM')).toBe('es');
    expect(languageForJurisdiction('PE-CUS')).toBe('es');
    expect(languageForJurisdiction('CO-BOG')).toBe('es');
    expect(languageForJurisdiction('GB-LND')).toBe('en');
    expect(languageForJurisdiction(undefined)).toBe('en');
  });
});
