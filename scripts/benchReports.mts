/**
 * The report stream part of `npm run bench`: 1MSG posts one small request per status, so a busy
 * channel is many requests. Sustained single-event POSTs per second into the OneMsg Trigger against
 * n8n's own Webhook node (+ Split Out, the same work after it) on the same n8n, in single mode with
 * n8n's expression engine settings, and in queue mode with one and two webhook processes.
 */
import path from 'node:path';
import { Agent, request } from 'undici';
import { parseWebhookUrls } from '../nodes/OneMsgTrigger/webhookUrls.ts';
import type { FakeOneMsg } from '../sandbox/fakeOneMsg.mts';
import { LocalN8n, waitUntil, webhookNode, workflow, type LocalN8nOptions } from './lib/localN8n.mts';
import { RoundRobinProxy, startPostgres, startRedis } from './lib/queueMode.mts';

export interface StreamOptions {
	dir: string;
	tarball: string;
	sandbox: FakeOneMsg;
	/** POSTs per round and variant. */
	requests: number;
	/** Clients posting at once, each waiting for its answer before the next POST. */
	clients: number;
	rounds: number;
	/** Which of the variants to run (indexes into the table); all when empty. */
	variants: number[];
	log: (line: string) => void;
}

interface Variant {
	name: string;
	env?: NodeJS.ProcessEnv;
	webhookProcesses?: number;
}

const VARIANTS: Variant[] = [
	{ name: 'single n8n, defaults (engine vm, pool size 1)' },
	{ name: 'single n8n, N8N_EXPRESSION_ENGINE_POOL_SIZE=4', env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' } },
	{ name: 'single n8n, N8N_EXPRESSION_ENGINE=legacy', env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
	{ name: 'queue mode, 1 webhook process, 1 worker', webhookProcesses: 1 },
	{ name: 'queue mode, 2 webhook processes, 1 worker', webhookProcesses: 2 },
	{ name: 'queue mode, 2 webhook processes, 1 worker, pool size 4', webhookProcesses: 2, env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' } },
];

interface Rate {
	/** POSTs answered per second. */
	answered: number;
	/** Executions finished per second, counted from the first POST to the last execution's last node. */
	finished: number;
	errors: number;
}

export const median = (xs: number[]) => {
	const sorted = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** What both parts of the bench import into n8n: the credential for the sandbox, and the last node the runs wait for. */
export function benchParts(sandbox: FakeOneMsg) {
	const credentials = { oneMsgChannelApi: { id: 'onemsgBench00001', name: 'OneMsg bench' } };
	return {
		credentials,
		credential: { ...credentials.oneMsgChannelApi, type: 'oneMsgChannelApi', data: { channelId: sandbox.channelId, token: sandbox.token, baseUrl: sandbox.baseUrl } },
		trigger: (webhookId: string) => ({ name: 'OneMsg Trigger', type: 'n8n-nodes-onemsg.oneMsgTrigger', webhookId, credentials, parameters: { options: {} } }),
		/** Posts to the sandbox's team chat once per execution: a run has finished when its post arrived. */
		done: {
			name: 'Done', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, executeOnce: true,
			parameters: { method: 'POST', url: `${sandbox.baseUrl}/team-chat`, sendBody: true, specifyBody: 'json', jsonBody: '{"text":"done"}', options: {} },
		},
		/** The trigger's URL once it is on the channel's list. */
		triggerUrl: async (prefix: string) => await waitUntil('the trigger to register', () => parseWebhookUrls(sandbox.webhookUrl).find((u) => u.startsWith(prefix))),
		/** Waits until a POST of `body` to `url` answers 200: the route is live and its first execution paid for. */
		waitRoute: async (url: string, body: unknown) =>
			await waitUntil(`route ${url}`, async () => {
				const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
				await answer.arrayBuffer();
				return answer.status === 200;
			}),
	};
}

export async function benchReportStream(options: StreamOptions): Promise<string> {
	const { sandbox } = options;
	const { credential, trigger, done, triggerUrl: registeredTrigger, waitRoute } = benchParts(sandbox);
	const workflows = [
		workflow('streamTrigger001', 'stream: OneMsg Trigger', [trigger('cdc0ffee-0000-4000-8000-00000000c0c2'), done]),
		workflow('streamWebhook001', 'stream: Webhook + Split Out', [
			webhookNode('Webhook', 'stream/plain', 'onReceived', { responseData: 'noData' }),
			{ name: 'Split Out', type: 'n8n-nodes-base.splitOut', parameters: { fieldToSplitOut: 'body.ack', options: {} } },
			done,
		]),
	];
	const agent = new Agent({ connections: options.clients });
	let sequence = 0;

	async function stream(url: string): Promise<Rate> {
		const doneBefore = sandbox.teamChat.length;
		let next = 0;
		let errors = 0;
		const started = performance.now();
		await Promise.all(
			Array.from({ length: options.clients }, async () => {
				while (next < options.requests) {
					next++;
					const id = `wamid.STREAM${++sequence}`;
					const answer = await request(url, {
						method: 'POST',
						dispatcher: agent,
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ instanceId: sandbox.channelId, ack: [{ id, chatId: '14155552671@c.us', status: 'delivered' }] }),
					});
					await answer.body.dump();
					if (answer.statusCode !== 200) errors++;
				}
			}),
		);
		const answeredMs = performance.now() - started;
		const expected = options.requests - errors;
		await waitUntil('every execution to finish', () => sandbox.teamChat.length - doneBefore >= expected, { timeoutMs: 900_000, intervalMs: 20 });
		const finishedMs = performance.now() - started;
		options.log(`  ${url.includes('/onemsg') ? 'OneMsg Trigger' : 'Webhook node'}: ${options.requests} POSTs answered in ${(answeredMs / 1000).toFixed(1)} s, executions finished in ${(finishedMs / 1000).toFixed(1)} s`);
		return { answered: (options.requests / answeredMs) * 1000, finished: (expected / finishedMs) * 1000, errors };
	}

	const rows: string[] = [];
	for (const [index, variant] of VARIANTS.entries()) {
		if (options.variants.length && !options.variants.includes(index)) continue;
		options.log(`report stream: ${variant.name}`);
		const dir = path.join(options.dir, `stream-${index}`);
		const stops: Array<() => Promise<void>> = [];
		try {
			const setup: LocalN8nOptions = {
				dir,
				tarball: options.tarball,
				credentials: [credential],
				workflows,
				env: variant.env,
				log: options.log,
			};
			let webhookBase: string;
			if (variant.webhookProcesses) {
				const postgres = await startPostgres();
				stops.push(postgres.stop);
				const redis = await startRedis();
				stops.push(redis.stop);
				let local: LocalN8n | undefined;
				const proxy = new RoundRobinProxy(() => local!.webhookProcesses.map((p) => p.options.port));
				webhookBase = await proxy.start();
				stops.push(async () => await proxy.stop());
				local = new LocalN8n({ ...setup, queue: { postgres, redis, webhookProcesses: variant.webhookProcesses, workers: 1, webhookUrl: `${webhookBase}/` } });
				stops.unshift(async () => await local!.stop());
				await local.start();
				for (const { id } of workflows) await local.rest.publish(id);
			} else {
				const local = new LocalN8n(setup);
				stops.unshift(async () => await local.stop());
				await local.start();
				webhookBase = local.main.baseUrl;
				for (const { id } of workflows) await local.rest.publish(id);
			}
			const triggerUrl = await registeredTrigger(`${webhookBase}/`);
			const plainUrl = `${webhookBase}/webhook/stream/plain`;
			for (const url of [triggerUrl, plainUrl]) await waitRoute(url, { ack: [] });
			const trigger: Rate[] = [];
			const plain: Rate[] = [];
			for (let round = 0; round < options.rounds; round++) {
				trigger.push(await stream(triggerUrl));
				plain.push(await stream(plainUrl));
			}
			const t = { answered: median(trigger.map((r) => r.answered)), finished: median(trigger.map((r) => r.finished)) };
			const p = { answered: median(plain.map((r) => r.answered)), finished: median(plain.map((r) => r.finished)) };
			const errors = [...trigger, ...plain].reduce((n, r) => n + r.errors, 0);
			rows.push(
				`| ${variant.name} | ${t.answered.toFixed(0)} | ${p.answered.toFixed(0)} | **${(t.answered / p.answered).toFixed(2)}** | ${t.finished.toFixed(0)} | ${p.finished.toFixed(0)} | ${(t.finished / p.finished).toFixed(2)} | ${errors} |`,
			);
			options.log(rows.at(-1)!);
		} finally {
			for (const stop of stops) await stop().catch(() => undefined);
		}
	}
	await agent.close();
	return `
Delivery reports: ${options.requests} POSTs of one \`ack\` event each, ${options.clients} clients posting at once (each waits for its answer), ${options.rounds} alternating rounds per variant, medians. *Answered*: POSTs answered per second. *Finished*: executions finished per second, from the first POST until the last execution's last node ran. In queue mode the POSTs go through a round-robin proxy to the webhook processes.

| variant | OneMsg Trigger answered/s | Webhook node answered/s | ratio | OneMsg Trigger finished/s | Webhook node finished/s | ratio | non-200 answers |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
}
