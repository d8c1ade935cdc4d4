/**
 * Command forms as HTML, from their model (task-forms.ts): labelled controls, fieldsets with legends for choices
 * and durations, the API's message beside the field it names (aria-invalid, aria-describedby), a refusal notice at
 * the top. A form the person's role may not send is shown disabled, with the reason in plain words and no button.
 * Used by task pages and case pages alike.
 */
import { randomUUID } from 'node:crypto';
import { csrfToken } from './csrf';
import { html, type Html } from './html';
import { t, tMaybe, type Language } from './i18n';
import { commandName } from './labels';
import { onlyWho, type Refusal } from './refusals';
import { controlName, DURATION_UNITS, type CommandForm, type Field } from './task-forms';
import { notice } from './widgets';

export interface CommandSectionInput {
  lang: Language;
  csrfSecret: string;
  /** Where the form posts. */
  action: string;
  csrfPurpose: string;
  form: CommandForm;
  /** Unique on the page; prefixes every id. */
  prefix: string;
  failure?: { refusal: Refusal; field?: string };
}

const fieldLabel = (lang: Language, name: string): string => tMaybe(lang, `field.${name}`, {}, name) as string;

function optionLabel(lang: Language, field: Extract<Field, { kind: 'choice' }>, value: string): string {
  if (field.labels === 'outcome') return tMaybe(lang, `outcome.${value}`, {}, value) as string;
  if (field.labels === 'enum') return tMaybe(lang, `enum.${field.name}.${value}`, {}, value) as string;
  return value;
}

function fieldControl(lang: Language, field: Field, opts: { disabled: boolean; error?: string; prefix: string }): Html {
  const id = `${opts.prefix}-${field.name}`;
  const label = fieldLabel(lang, field.name);
  const optional =
    'required' in field && !field.required ? html` <span class="muted">${t(lang, 'field.optional')}</span>` : '';
  const errorId = `${id}-error`;
  const error = opts.error ? html`<p class="field-error" id="${errorId}">${opts.error}</p>` : '';
  const invalid = opts.error ? html` aria-invalid="true" aria-describedby="${errorId}"` : '';
  const disabled = opts.disabled ? html` disabled` : '';
  switch (field.kind) {
    case 'fixed':
      return html`<p class="field"><strong>${label}:</strong> <span id="${id}">${field.value}</span></p>`;
    case 'choice': {
      const type = field.multiple ? 'checkbox' : 'radio';
      const options = field.options.map((value, i) => {
        const optionId = `${id}-${i}`;
        const checked = field.preselected === value;
        return html`<div>
          <input
            type="${type}"
            id="${optionId}"
            name="${controlName(field.name)}"
            value="${value}"
            ${checked ? html` checked` : ''}${disabled}${invalid}
          /><label for="${optionId}">${optionLabel(lang, field, value)}</label>
        </div>`;
      });
      return html`<fieldset class="field" id="${id}">
        <legend>${label}${optional}</legend>
        ${error}${options}
      </fieldset>`;
    }
    case 'duration': {
      const units = DURATION_UNITS.map(
        (u) => html`<option value="${u}" ${u === 'd' ? html` selected` : ''}>${t(lang, `unit.${u}`)}</option>`,
      );
      const hintKey = field.name === 'extendBy' ? 'field.extendBy.hint' : 'field.validFor.hint';
      const hint = t(lang, hintKey);
      return html`<fieldset class="field" id="${id}" aria-describedby="${id}-hint">
        <legend>${label}${optional}</legend>
        <p class="hint" id="${id}-hint">${hint}</p>
        ${error}
        <div class="row">
          <div>
            <label for="${id}-amount">${t(lang, 'field.amount')}</label><br />
            <input
              type="number"
              inputmode="numeric"
              min="1"
              step="1"
              id="${id}-amount"
              name="${controlName(field.name, 'amount')}"
              ${disabled}${invalid}
            />
          </div>
          <div>
            <label for="${id}-unit">${t(lang, 'field.unit')}</label><br />
            <select id="${id}-unit" name="${controlName(field.name, 'unit')}" ${disabled}>
              ${units}
            </select>
          </div>
        </div>
      </fieldset>`;
    }
    case 'number':
      return html`<div class="field">
        <label for="${id}">${label}${optional}</label><br />${error}
        <input
          type="number"
          id="${id}"
          name="${controlName(field.name)}"
          ${field.integer ? html` step="1"` : ''}${disabled}${invalid}
        />
      </div>`;
    case 'text':
      return html`<div class="field">
        <label for="${id}">${label}${optional}</label><br />${error}
        <input
          type="text"
          id="${id}"
          name="${controlName(field.name)}"
          maxlength="${field.maxLength}"
          ${disabled}${invalid}
        />
      </div>`;
    default: {
      const _exhaustive: never = field;
      return _exhaustive;
    }
  }
}

export function commandSection(input: CommandSectionInput): Html {
  const { lang, form, prefix } = input;
  const title = commandName(lang, form.command);
  const headingId = `${prefix}-heading`;
  const failure = input.failure;
  const danger = /^(deny|end)/.test(form.command);
  const fields = form.fields.map((f) =>
    fieldControl(lang, f, {
      disabled: !form.allowed,
      prefix,
      ...(failure?.field === f.name ? { error: failure.refusal.message } : {}),
    }),
  );
  const hidden = html`<input type="hidden" name="_csrf" value="${csrfToken(input.csrfSecret, input.csrfPurpose)}" />
    <input type="hidden" name="command" value="${form.command}" />
    <input type="hidden" name="commandId" value="${randomUUID()}" />`;
  // Not allowed: the form says why (from the permission matrix) and offers nothing to press.
  const top = !form.allowed
    ? notice('err', t(lang, 'task.cannot'), onlyWho(lang, form.command, form.who), `${prefix}-refusal`)
    : failure
      ? notice('err', failure.refusal.title, failure.refusal.message, `${prefix}-refusal`)
      : '';
  return html`<section aria-labelledby="${headingId}" class="command" id="${prefix}">
    <h2 id="${headingId}">${title}</h2>
    ${top}
    <form method="post" action="${input.action}" novalidate id="${prefix}-form">
      ${hidden} ${fields}
      ${form.allowed ? html`<button type="submit" class="${danger ? 'danger' : 'primary'}" id="${prefix}-submit">${title}</button>` : ''}
    </form>
  </section>`;
}
