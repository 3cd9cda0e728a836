import { describe, expect, test } from 'vitest';
import { RecentKeys } from '../../nodes/OneMsgTrigger/repeatFilter.ts';
import { parseWebhookUrls, registeredEntry, webhookUrlValue, withSecret } from '../../nodes/OneMsgTrigger/webhookUrls.ts';

describe('webhook URL list', () => {
	test.each([
		['https://a/1', ['https://a/1']],
		[['https://a/1', ' https://b/2 ', '', 7], ['https://a/1', ' https://b/2 ']],
		[['https://crm.example.com/in?events=message,ack', 'https://b/2'], ['https://crm.example.com/in?events=message,ack', 'https://b/2']],
		['https://crm.example.com/in?events=message,ack, https://b/2', ['https://crm.example.com/in?events=message,ack', 'https://b/2']],
		['https://a/1,HTTP://b/2 ,https://c/3?x=1,2', ['https://a/1', 'HTTP://b/2', 'https://c/3?x=1,2']],
		['https://a/1, https://b/2,,', ['https://a/1', 'https://b/2']],
		['', []],
		[null, []],
		[{ url: 'x' }, []],
	])('parseWebhookUrls(%j)', (value, urls) => {
		expect(parseWebhookUrls(value)).toEqual(urls);
	});

	test('one URL is posted as a string, several as an array', () => {
		expect(webhookUrlValue(['a'])).toBe('a');
		expect(webhookUrlValue(['a', 'b'])).toEqual(['a', 'b']);
	});

	test('the entry of this trigger is found by its base URL, with its secret', () => {
		const mine = withSecret('https://n8n.example.com/webhook/abc/onemsg', 's3cr3t');
		expect(mine).toBe('https://n8n.example.com/webhook/abc/onemsg?secret=s3cr3t');
		const urls = ['https://n8n.example.com/webhook-test/abc/onemsg?secret=t', mine];
		expect(registeredEntry(urls, 'https://n8n.example.com/webhook/abc/onemsg')).toEqual({ url: mine, secret: 's3cr3t' });
		expect(registeredEntry(['https://n8n.example.com/webhook/abc/onemsg'], 'https://n8n.example.com/webhook/abc/onemsg')).toBeUndefined();
	});
});

describe('RecentKeys', () => {
	test('a key is a repeat within the window, new after it', () => {
		const keys = new RecentKeys(100, 1000);
		expect(keys.seenBefore('a', 0)).toBe(false);
		expect(keys.seenBefore('a', 500)).toBe(true);
		expect(keys.seenBefore('a', 2000)).toBe(false);
	});

	test('memory is bounded by count: the oldest keys go first', () => {
		const keys = new RecentKeys(3, 1_000_000);
		for (const k of ['a', 'b', 'c', 'd']) keys.seenBefore(k, 1);
		expect(keys.size).toBe(3);
		expect(keys.seenBefore('a', 2)).toBe(false);
		expect(keys.seenBefore('d', 2)).toBe(true);
	});

	test('memory is bounded by time: expired keys are dropped', () => {
		const keys = new RecentKeys(100, 10);
		for (let i = 0; i < 50; i++) keys.seenBefore(`k${i}`, i);
		expect(keys.size).toBeLessThanOrEqual(11);
	});
});
