/** The pages around the work: the landing page (sign in), error pages. */
import { html, type Html } from './html';
import { t, type Language } from './i18n';

export function landingMain(lang: Language): Html {
  return html`<h1>${t(lang, 'landing.title')}</h1>
    <p>${t(lang, 'landing.lead')}</p>
    <p>
      <a class="button" href="/auth/sign-in${lang ? `?lang=${lang}` : ''}" id="sign-in">${t(lang, 'landing.signIn')}</a>
    </p>`;
}

export function errorMain(lang: Language, message: string, opts: { signInAgain?: boolean } = {}): Html {
  return html`<h1>${t(lang, 'error.title')}</h1>
    <p id="error" role="alert">${message}</p>
    ${opts.signInAgain ? html`<p><a class="button" href="/auth/sign-in">${t(lang, 'error.signIn.again')}</a></p>` : ''}
    <p><a href="/inbox">${t(lang, 'task.back')}</a></p>`;
}
