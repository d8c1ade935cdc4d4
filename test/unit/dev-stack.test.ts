/**
 * The compose files cannot read src/temporal/search-attributes.json, so they repeat the list: keep them equal.
 * docker-compose.yml passes it to the dev server (`--search-attribute=Name=Type`), docker-compose.prod.yml to
 * deploy/temporal/setup-namespace.sh in the same form.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../support/search-attributes';

it.each(['docker-compose.yml', 'docker-compose.prod.yml'])(
  '%s registers exactly the search attributes of src/temporal/search-attributes.json',
  (file) => {
    const compose = readFileSync(join(__dirname, '..', '..', file), 'utf8');
    const flags = [...compose.matchAll(/--search-attribute=(\w+)=(\w+)/g)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(flags)).toEqual(SEARCH_ATTRIBUTES);
    expect(flags).toHaveLength(Object.keys(SEARCH_ATTRIBUTES).length);
  },
);
