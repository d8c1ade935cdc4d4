/** docker-compose.yml cannot read src/temporal/search-attributes.json, so it repeats the list: keep them equal. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../support/search-attributes';

it('docker-compose.yml registers exactly the search attributes of src/temporal/search-attributes.json', () => {
  const compose = readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8');
  const flags = [...compose.matchAll(/--search-attribute=(\w+)=(\w+)/g)].map((m) => [m[1], m[2]]);
  expect(Object.fromEntries(flags)).toEqual(SEARCH_ATTRIBUTES);
  expect(flags).toHaveLength(Object.keys(SEARCH_ATTRIBUTES).length);
});
