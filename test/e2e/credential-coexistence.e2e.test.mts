/**
 * Two packages, one n8n. 1MSG's own n8n package defines a credential type `oneMsgApi` with other
 * fields. n8n keys credential types by name across every installed package (the last package loaded
 * takes a name), so this package's credential is `oneMsgChannelApi`. Here the packed package is
 * installed as a community package beside a stand-in package that defines `oneMsgApi`, in one real
 * n8n, and each credential must keep its own fields, its own test request and its own nodes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeOneMsg } from '../../sandbox/fakeOneMsg.mts';
import { LocalN8n, packPackage, PACKAGE, type N8nRest } from '../../scripts/lib/localN8n.mts';

const OURS = 'oneMsgChannelApi';
const THEIRS = 'oneMsgApi';
const OTHER_PACKAGE = 'n8n-nodes-other-1msg';

interface CredentialTypeDescription {
	name: string;
	properties: Array<{ name: string }>;
}
interface NodeTypeDescription {
	name: string;
	credentials?: Array<{ name: string }>;
}

/** The stand-in for 1MSG's package: a credential `oneMsgApi` (other fields, other auth) and a node using it. */
function writeOtherPackage(nodeModulesDir: string): void {
	const dir = path.join(nodeModulesDir, OTHER_PACKAGE);
	mkdirSync(path.join(dir, 'dist', 'credentials'), { recursive: true });
	mkdirSync(path.join(dir, 'dist', 'nodes', 'OtherOneMsg'), { recursive: true });
	writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({
			name: OTHER_PACKAGE,
			version: '1.0.0',
			main: 'index.js',
			n8n: {
				n8nNodesApiVersion: 1,
				credentials: ['dist/credentials/OneMsgApi.credentials.js'],
				nodes: ['dist/nodes/OtherOneMsg/OtherOneMsg.node.js'],
			},
		}),
	);
	writeFileSync(path.join(dir, 'index.js'), 'module.exports = {};\n');
	writeFileSync(
		path.join(dir, 'dist', 'credentials', 'OneMsgApi.credentials.js'),
		`class OneMsgApi {
	constructor() {
		this.name = ${JSON.stringify(THEIRS)};
		this.displayName = 'Other 1MSG API';
		this.properties = [
			{ displayName: 'Instance URL', name: 'instanceUrl', type: 'string', default: '' },
			{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		];
		this.authenticate = { type: 'generic', properties: { headers: { 'X-Api-Key': '={{$credentials.apiKey}}' } } };
		this.test = { request: { baseURL: '={{$credentials.instanceUrl}}', url: '/other/check' } };
	}
}
exports.OneMsgApi = OneMsgApi;
`,
	);
	writeFileSync(
		path.join(dir, 'dist', 'nodes', 'OtherOneMsg', 'OtherOneMsg.node.js'),
		`class OtherOneMsg {
	constructor() {
		this.description = {
			displayName: 'Other 1MSG', name: 'otherOneMsg', group: ['output'], version: 1, description: 'Stand-in',
			defaults: { name: 'Other 1MSG' }, inputs: ['main'], outputs: ['main'],
			credentials: [{ name: ${JSON.stringify(THEIRS)}, required: true }], properties: [],
		};
	}
	async execute() { return [this.getInputData()]; }
}
exports.OtherOneMsg = OtherOneMsg;
`,
	);
}

const sandbox = new FakeOneMsg({ token: `coexist-token-${Date.now().toString(36)}` });
const dir = mkdtempSync(path.join(tmpdir(), 'onemsg-coexist-'));
let n8n: LocalN8n;
let rest: N8nRest;

/** One of n8n's type files (/types/credentials.json, /types/nodes.json), as the editor loads it. */
async function typeFile<T>(name: string): Promise<T> {
	const answer = await rest.fetch(`/types/${name}`);
	expect(answer.status).toBe(200);
	return (await answer.json()) as T;
}

beforeAll(async () => {
	// beside where LocalN8n installs this package into main's user folder
	writeOtherPackage(path.join(dir, 'main', '.n8n', 'nodes', 'node_modules'));
	await sandbox.start();
	sandbox.intercept((request) => (request.path === '/other/check' ? { status: 200, body: { ok: true } } : undefined));

	n8n = new LocalN8n({ dir, tarball: await packPackage(path.join(dir, 'pack')), log: (line) => process.stderr.write(`[coexist] ${line}\n`) });
	await n8n.start();
	rest = n8n.rest;
}, 900_000);

afterAll(async () => {
	await n8n?.stop();
	await sandbox.stop();
	rmSync(dir, { recursive: true, force: true });
});

describe('this package beside another package that defines a credential named oneMsgApi', () => {
	test('n8n lists each credential type once, with its own fields', async () => {
		const types = await typeFile<CredentialTypeDescription[]>('credentials.json');
		const named = (name: string) => types.filter((t) => t.name === name);
		expect(named(OURS)).toHaveLength(1);
		expect(named(THEIRS)).toHaveLength(1);
		const fields = (name: string) => named(name)[0].properties.map((p) => p.name);
		expect(fields(OURS)).toEqual(expect.arrayContaining(['channelId', 'token', 'baseUrl']));
		expect(fields(OURS)).not.toContain('apiKey');
		expect(fields(THEIRS)).toEqual(expect.arrayContaining(['instanceUrl', 'apiKey']));
		expect(fields(THEIRS)).not.toContain('channelId');
	});

	test('every node of this package asks for oneMsgChannelApi, the other package’s node for oneMsgApi', async () => {
		const nodes = await typeFile<NodeTypeDescription[]>('nodes.json');
		const ours = nodes.filter((n) => n.name.startsWith(`${PACKAGE.name}.`));
		expect(ours.map((n) => n.name)).toEqual(expect.arrayContaining([`${PACKAGE.name}.oneMsgSendTemplate`, `${PACKAGE.name}.oneMsgTrigger`]));
		for (const node of ours) expect(node.credentials?.map((c) => c.name), node.name).toEqual([OURS]);
		const theirs = nodes.filter((n) => n.name.startsWith(`${OTHER_PACKAGE}.`));
		expect(theirs.map((n) => n.credentials?.map((c) => c.name))).toEqual([[THEIRS]]);
	});

	test('saved credentials of both types keep their fields, and n8n tests each with its own package’s request', async () => {
		const ours = await rest.request<{ id: string }>('POST', '/credentials', {
			name: 'OneMsg channel',
			type: OURS,
			data: sandbox.credential,
		});
		const theirs = await rest.request<{ id: string }>('POST', '/credentials', {
			name: 'Other 1MSG',
			type: THEIRS,
			data: { instanceUrl: sandbox.baseUrl, apiKey: 'other-package-key' },
		});

		const stored = await rest.request<{ type: string; data: Record<string, unknown> }>('GET', `/credentials/${ours.id}?includeData=true`);
		expect(stored.type).toBe(OURS);
		expect(stored.data).toMatchObject({ channelId: sandbox.channelId, baseUrl: sandbox.baseUrl });
		const storedTheirs = await rest.request<{ type: string; data: Record<string, unknown> }>('GET', `/credentials/${theirs.id}?includeData=true`);
		expect(storedTheirs.type).toBe(THEIRS);
		expect(storedTheirs.data).toMatchObject({ instanceUrl: sandbox.baseUrl });
		expect(storedTheirs.data).not.toHaveProperty('channelId');

		const testCredential = async (id: string, type: string, name: string, data: Record<string, unknown>) =>
			await rest.request<{ status: string; message: string }>('POST', '/credentials/test', { credentials: { id, name, type, data } });

		const before = sandbox.requests.length;
		const ourResult = await testCredential(ours.id, OURS, 'OneMsg channel', sandbox.credential);
		expect(ourResult).toMatchObject({ status: 'OK' });
		const theirResult = await testCredential(theirs.id, THEIRS, 'Other 1MSG', { instanceUrl: sandbox.baseUrl, apiKey: 'other-package-key' });
		expect(theirResult).toMatchObject({ status: 'OK' });

		const seen = sandbox.requests.slice(before);
		const status = seen.filter((r) => r.path === `/${sandbox.channelId}/status`);
		expect(status).toHaveLength(1);
		expect(status[0].headers.authorization).toBe(`Bearer ${sandbox.token}`);
		const other = seen.filter((r) => r.path === '/other/check');
		expect(other).toHaveLength(1);
		expect(other[0].headers['x-api-key']).toBe('other-package-key');
		expect(other[0].headers.authorization).toBeUndefined();
	});
});
