/** What the editor asks the node for: the template list and the Custom Template variable fields. */
export * as listSearch from './listSearch';
export * as resourceMapping from './resourceMapping';
