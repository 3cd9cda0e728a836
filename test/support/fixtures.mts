import type { INodeParameters } from 'n8n-workflow';
import { FakeOneMsg } from '../../sandbox/fakeOneMsg.mts';
import type { RunResult } from './n8n.mts';

export function credentialsFor(fake: FakeOneMsg, overrides: Record<string, string> = {}) {
	return { channelId: fake.channelId, token: fake.token, baseUrl: fake.baseUrl, ...overrides };
}

export function ticketAccepted(overrides: INodeParameters = {}): INodeParameters {
	return {
		operation: 'ticketAccepted',
		phone: '+1 (415) 555-2671',
		customerName: 'Maria',
		ticketNumber: '12345',
		nextStep: 'Expect a specialist reply within 2 hours',
		template: { __rl: true, mode: 'name', value: 'ticket_accepted' },
		language: 'en',
		namespace: '',
		...overrides,
	};
}

export function agentAssigned(overrides: INodeParameters = {}): INodeParameters {
	return {
		operation: 'agentAssigned',
		phone: '+1 (415) 555-2671',
		customerName: 'Maria',
		ticketNumber: '12345',
		specialistName: 'Alexey Petrov',
		template: { __rl: true, mode: 'name', value: 'agent_assigned' },
		language: 'en',
		namespace: '',
		...overrides,
	};
}

/** Everything a run exposes to a user: items, the error with all its fields, the stored run data. */
export function everythingVisible(result: RunResult): string {
	const error = result.error
		? JSON.stringify(result.error, Object.getOwnPropertyNames(result.error)) +
			JSON.stringify({ description: result.error.description, context: result.error.context })
		: '';
	return JSON.stringify(result.items ?? null) + error + JSON.stringify(result.run.data);
}

/** Starts a fresh fake per test file and hands it out. */
export async function startFake(options?: ConstructorParameters<typeof FakeOneMsg>[0]): Promise<FakeOneMsg> {
	const fake = new FakeOneMsg(options);
	await fake.start();
	return fake;
}
