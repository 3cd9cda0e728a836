import { describe, expect, test } from 'vitest';
import { jsonPathOf } from '../../nodes/itemRun/itemParameters.ts';

describe('jsonPathOf: the plain `{{ $json… }}` mappings read without n8n’s expression VM', () => {
	test.each([
		['={{ $json.phone }}', ['phone']],
		['={{$json.customer.phone}}', ['customer', 'phone']],
		['={{ $json["ticket id"] }}', ['ticket id']],
		["={{ $json['a'].b[0] }}", ['a', 'b', '0']],
	])('%s → %j', (expression, path) => {
		expect(jsonPathOf(expression)).toEqual(path);
	});

	test.each([
		'={{ $json.phone + "" }}',
		'={{ $json.phone }} ',
		'={{ $json.phone }}{{ $json.x }}',
		'=+{{ $json.phone }}',
		'={{ $("Node").item.json.phone }}',
		'={{ $json }}',
		'={{ $json.a.b() }}',
		'={{ $json[key] }}',
		'{{ $json.phone }}',
		'plain text',
	])('%s goes through n8n', (expression) => {
		expect(jsonPathOf(expression)).toBeUndefined();
	});
});
