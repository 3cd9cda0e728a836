import type { INodeParameters } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_NAMESPACE, FakeOneMsg } from '../../sandbox/fakeOneMsg.mts';
import { waitUntil } from '../../scripts/lib/processes.mts';
import type { RunResult } from './n8n.mts';

export function credentialsFor(fake: FakeOneMsg, overrides: Record<string, string> = {}) {
	return { ...fake.credential, ...overrides };
}

/** The parameters of a scenario operation for Maria's ticket 12345; `third` fills {{3}}. */
function scenario(operation: string, template: string, third: INodeParameters, overrides: INodeParameters): INodeParameters {
	return {
		operation,
		phone: '+1 (415) 555-2671',
		customerName: 'Maria',
		ticketNumber: '12345',
		...third,
		template: { __rl: true, mode: 'name', value: template },
		language: 'en',
		namespace: '',
		...overrides,
	};
}

export function ticketAccepted(overrides: INodeParameters = {}): INodeParameters {
	return scenario('ticketAccepted', 'ticket_accepted', { nextStep: 'Expect a specialist reply within 2 hours' }, overrides);
}

export function agentAssigned(overrides: INodeParameters = {}): INodeParameters {
	return scenario('agentAssigned', 'agent_assigned', { specialistName: 'Alexey Petrov' }, overrides);
}

/** Everything a run exposes to a user: items, the error with all its fields, the stored run data. */
export function everythingVisible(result: RunResult): string {
	const error = result.error
		? JSON.stringify(result.error, Object.getOwnPropertyNames(result.error)) +
			JSON.stringify({ description: result.error.description, context: result.error.context })
		: '';
	return JSON.stringify(result.items ?? null) + error + JSON.stringify(result.run.data);
}

/** A fake 1MSG for the test file: started before its tests, reset before each, stopped after. */
export function useFake(options?: ConstructorParameters<typeof FakeOneMsg>[0]): FakeOneMsg {
	const fake = new FakeOneMsg(options);
	beforeAll(async () => {
		await fake.start();
	});
	afterAll(async () => {
		await fake.stop();
	});
	beforeEach(() => fake.reset());
	return fake;
}

/** Starts a fake outside the per-file one (a test that needs a second channel, or a late start). */
export async function startFake(options?: ConstructorParameters<typeof FakeOneMsg>[0]): Promise<FakeOneMsg> {
	const fake = new FakeOneMsg(options);
	await fake.start();
	return fake;
}

/** mulberry32: a small seeded generator, so a failing generated case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The sendTemplate body of the scenario pages for `texts` ({{1}} {{2}} {{3}}). */
export function scenarioBody(template: string, texts: string[], phone = '14155552671') {
	return {
		phone,
		template,
		namespace: DEFAULT_NAMESPACE,
		language: { policy: 'deterministic', code: 'en' },
		params: [{ type: 'body', parameters: texts.map((text) => ({ type: 'text', text })) }],
	};
}

/** A channel token in the JWT form 1MSG issues: its payload carries `instanceId`. The signature is not checked by anyone. */
export const jwt = (payload: object): string =>
	['{"alg":"HS256","typ":"JWT"}', JSON.stringify(payload), 'signature'].map((part) => Buffer.from(part).toString('base64url')).join('.');

/** POSTs `body` as JSON; answers the HTTP status and the answer, parsed when it is JSON. */
export async function postJson(url: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; json: unknown }> {
	const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
	const text = await answer.text();
	try {
		return { status: answer.status, json: JSON.parse(text) as unknown };
	} catch {
		return { status: answer.status, json: text };
	}
}

/**
 * POSTs to a route of a workflow just published until it answers 200, and answers that answer: each
 * route goes live on its own, and a 404 runs nothing, so asking again is safe.
 */
export async function postWhenLive(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
	return await waitUntil(`the route ${new URL(url).pathname}`, async () => {
		const answer = await postJson(url, body);
		return answer.status === 200 ? answer : undefined;
	});
}
