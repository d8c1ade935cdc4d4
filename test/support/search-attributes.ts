/** The project's custom search attributes (src/temporal/search-attributes.json), shared with the dev stack. */
import searchAttributes from '../../src/temporal/search-attributes.json';

/** Type names as the Temporal CLI spells them in `--search-attribute Name=Type`. */
export type CliSearchAttributeType = 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export const SEARCH_ATTRIBUTES: Readonly<Record<string, CliSearchAttributeType>> = searchAttributes as Record<
  string,
  CliSearchAttributeType
>;

/** temporal.api.enums.v1.IndexedValueType numbers, as the operator API returns them (kept here rather than
 * importing @temporalio/proto, which is not a direct dependency). */
export const INDEXED_VALUE_TYPE: Readonly<Record<CliSearchAttributeType, number>> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};
