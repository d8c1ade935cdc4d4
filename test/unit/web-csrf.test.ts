import { checkCsrfToken, csrfToken, newCsrfSecret, sameOrigin } from '../../src/web/csrf';

describe('CSRF protection', () => {
  const secret = newCsrfSecret();

  it('accepts the token of this session and purpose only', () => {
    const token = csrfToken(secret, 'task');
    expect(checkCsrfToken(secret, 'task', token)).toBe(true);
    expect(checkCsrfToken(secret, 'claim', token)).toBe(false);
    expect(checkCsrfToken(newCsrfSecret(), 'task', token)).toBe(false);
    expect(checkCsrfToken(secret, 'task', undefined)).toBe(false);
    expect(checkCsrfToken(secret, 'task', ['a'])).toBe(false);
    expect(checkCsrfToken(secret, 'task', `${token}x`)).toBe(false);
    expect(checkCsrfToken(secret, 'task', 'x'.repeat(43))).toBe(false);
  });

  it('refuses a post from another origin, or that the browser says is cross-site', () => {
    const ours = 'https://cases.example.org';
    expect(sameOrigin({ origin: ours }, ours)).toBe(true);
    expect(sameOrigin({ origin: 'https://evil.example' }, ours)).toBe(false);
    expect(sameOrigin({ origin: 'null' }, ours)).toBe(false);
    expect(sameOrigin({ 'sec-fetch-site': 'cross-site' }, ours)).toBe(false);
    expect(sameOrigin({ 'sec-fetch-site': 'same-site' }, ours)).toBe(false);
    expect(sameOrigin({ 'sec-fetch-site': 'same-origin' }, ours)).toBe(true);
    expect(sameOrigin({}, ours)).toBe(true);
  });
});
