/**
 * Runs this package's nodes through n8n-core's real execution engine: the package is loaded from
 * its built `dist/` by n8n's own PackageDirectoryLoader (as a community package is), and a workflow
 * is executed by WorkflowExecute. Only the credential store is ours: it hands out the test's
 * credential and lets the credential type authenticate requests, as n8n's CLI does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

// n8n-core keeps its instance settings in N8N_USER_FOLDER: a fresh folder for each test file,
// removed after it (vitest's forks do not run `process.on('exit')` handlers).
if (!process.env.N8N_USER_FOLDER) {
	const folder = mkdtempSync(path.join(tmpdir(), 'onemsg-n8n-'));
	process.env.N8N_USER_FOLDER = folder;
	afterAll(() => {
		rmSync(folder, { recursive: true, force: true });
		delete process.env.N8N_USER_FOLDER;
	});
}

// Loaded with require, as n8n loads them and as our built nodes do: one copy of each class, so
// `instanceof NodeApiError` means the same thing in n8n-core, in the nodes and in the tests.
const require = createRequire(import.meta.url);
export const n8nCore = require('n8n-core') as typeof import('n8n-core');
const n8nWorkflow = require('n8n-workflow') as typeof import('n8n-workflow');
const { ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } = n8nCore;

import type {
	ICredentialDataDecryptedObject,
	ICredentialsHelper,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IWebhookData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	ResourceMapperFields,
	Workflow,
} from 'n8n-workflow';

const PACKAGE_NAME = 'n8n-nodes-onemsg';
export const SEND_NODE = `${PACKAGE_NAME}.oneMsgSendTemplate`;
export const ONEMSG_NODE = `${PACKAGE_NAME}.oneMsg`;
const TRIGGER_NODE = `${PACKAGE_NAME}.oneMsgTrigger`;
const CREDENTIAL = 'oneMsgChannelApi';
const NODE_NAME = 'OneMsg';

let loader: Promise<InstanceType<typeof PackageDirectoryLoader>> | undefined;

/** The package, loaded once per test file. */
function loadPackage() {
	loader ??= (async () => {
		const loaded = new PackageDirectoryLoader(path.resolve(import.meta.dirname, '../..'));
		await loaded.loadAll();
		return loaded;
	})();
	return loader;
}

export async function nodeTypes(): Promise<INodeTypes> {
	const loaded = await loadPackage();
	const byName = (type: string) => {
		const found = loaded.nodeTypes[type.replace(`${PACKAGE_NAME}.`, '')];
		if (!found) throw new Error(`node type ${type} is not in the package`);
		return found.type;
	};
	return {
		getByName: byName,
		getByNameAndVersion: (type, version) => n8nWorkflow.NodeHelpers.getVersionedNodeType(byName(type), version),
		getKnownTypes: () => ({}),
	};
}

async function nodeType(type: string): Promise<INodeType> {
	return (await nodeTypes()).getByNameAndVersion(type, 1) as INodeType;
}

export async function credentialType(): Promise<ICredentialType> {
	return (await loadPackage()).credentialTypes[CREDENTIAL].type;
}

function testNode(options: { parameters: INodeParameters; type?: string; continueOnFail?: boolean }): INode {
	return {
		id: 'a1b2c3d4-0000-4000-8000-000000000001',
		name: NODE_NAME,
		type: options.type ?? SEND_NODE,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: { [CREDENTIAL]: { id: '1', name: 'OneMsg account' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

async function testWorkflow(node: INode): Promise<Workflow> {
	return new n8nWorkflow.Workflow({ id: 'test', nodes: [node], connections: {}, active: false, nodeTypes: await nodeTypes() });
}

/**
 * What n8n-core reads of the execution's surroundings here. The credential store holds the test's
 * one credential; the credential authenticates with a function (see its comment), which is what
 * n8n's CLI calls then.
 */
async function additionalDataFor(credentials: ICredentialDataDecryptedObject): Promise<IWorkflowExecuteAdditionalData> {
	const type = await credentialType();
	const authenticate = type.authenticate;
	if (typeof authenticate !== 'function') throw new Error('the harness expects the credential to authenticate with a function');
	const credentialsHelper: ICredentialsHelper = {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		authenticate: async (data, _type, options) => await authenticate(data, options as IHttpRequestOptions),
		preAuthentication: async () => undefined,
		runPreAuthentication: async () => undefined,
		getCredentials: async () => {
			throw new Error('not used by these nodes');
		},
		getDecrypted: async () => structuredClone(credentials),
		updateCredentials: async () => {},
		updateCredentialsOauthTokenData: async () => {},
		getCredentialsProperties: () => type.properties,
	};
	return {
		credentialsHelper,
		currentNodeExecutionIndex: 0,
		// parsed for `$execution.resumeUrl` and `resumeFormUrl` whenever a parameter is read
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunOptions {
	parameters: INodeParameters;
	items?: IDataObject[];
	/** Input items with binary data; takes the place of `items`. */
	inputItems?: INodeExecutionData[];
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	type?: string;
}

export interface RunResult {
	/** The node's output items, or undefined when the node failed. */
	items?: INodeExecutionData[];
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	run: IRun;
}

/** Runs the node once over `items`, as WorkflowExecute runs a node in a manual execution. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const node = testNode(options);
	const additionalData = await additionalDataFor(options.credentials);
	// WorkflowExecute reports to lifecycle hooks; none listen here, so the workflow they carry is a stub
	additionalData.hooks = new ExecutionLifecycleHooks('manual', '1', { id: 'test', nodes: [node], connections: {} } as unknown as IWorkflowBase);
	const items = options.inputItems ?? (options.items ?? [{}]).map((json) => ({ json }));
	const runExecutionData = n8nWorkflow.createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node, data: { main: [items] }, source: null }] },
	});
	const run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(await testWorkflow(node));
	const task = run.data.resultData.runData[NODE_NAME]?.[0];
	return {
		items: task?.data?.main?.[0] ?? undefined,
		error: (task?.error ?? run.data.resultData.error) as RunResult['error'],
		run,
	};
}

type EditorOptions = { parameters: INodeParameters; credentials: ICredentialDataDecryptedObject; type?: string };

/** Calls one of the node's editor methods as the editor does, through n8n-core's LoadOptionsContext. */
async function editorMethod(kind: 'listSearch' | 'resourceMapping', method: string, options: EditorOptions, ...args: unknown[]) {
	const node = testNode(options);
	const additionalData = await additionalDataFor(options.credentials);
	additionalData.currentNodeParameters = options.parameters; // what the editor sends with the request
	const context = new n8nCore.LoadOptionsContext(await testWorkflow(node), node, additionalData, '');
	const call = (await nodeType(node.type)).methods?.[kind]?.[method] as ((this: unknown, ...args: unknown[]) => Promise<unknown>) | undefined;
	if (!call) throw new Error(`no ${kind} method ${method}`);
	return await call.call(context, ...args);
}

/** Calls a listSearch method of the node as the editor does. */
export async function listSearch(method: string, options: EditorOptions & { filter?: string }) {
	return (await editorMethod('listSearch', method, options, options.filter)) as INodeListSearchResult;
}

/** Calls a resourceMapping method (the fields of a resource mapper) as the editor does. */
export async function resourceMapping(method: string, options: EditorOptions) {
	return (await editorMethod('resourceMapping', method, options)) as ResourceMapperFields;
}

/**
 * Resolves an expression with n8n's expression engine, as n8n does for the Send Template node: one
 * of its description (a subtitle, say) for given `parameters`, or one of the credential (its test
 * request) with `$credentials`.
 */
export async function resolveExpression(
	value: string,
	{ parameters = {}, credentials }: { parameters?: INodeParameters; credentials?: ICredentialDataDecryptedObject },
): Promise<string> {
	const node = testNode({ parameters });
	const resolved = (await testWorkflow(node)).expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
	return String(resolved ?? '');
}

/**
 * The OneMsg Trigger as n8n drives it: activation and deactivation through n8n-core's HookContext
 * (checkExists, then create when it answers false; delete), and each HTTP request to the webhook
 * URL through WebhookContext, on a real loopback server. Like n8n, a webhook() that returns
 * workflowData starts an execution (recorded in `executions`); one that throws answers 500 and also
 * starts one; otherwise (`noWebhookResponse`) the node has answered.
 */
export class TriggerHarness {
	readonly executions: INodeExecutionData[][] = [];
	readonly thrown: unknown[] = [];
	baseUrl = '';
	private readonly server = createServer((req, res) => void this.handle(req, res));
	private readonly node: INode;
	private workflow?: Workflow;

	constructor(
		private readonly options: { parameters: INodeParameters; credentials: ICredentialDataDecryptedObject; webhookId?: string },
	) {
		this.node = { ...testNode({ parameters: options.parameters, type: TRIGGER_NODE }), webhookId: options.webhookId ?? 'f2a8c1de-5b7a-4c3e-9d10-000000000abc' };
	}

	/** The node's static data as n8n would persist it between activation and webhook calls. */
	get staticData(): IDataObject {
		return this.workflow?.getStaticData('node', this.node) ?? {};
	}

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		this.workflow = await testWorkflow(this.node);
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}

	/** What n8n hands the trigger for its webhook: its registration, with base URLs on our server. */
	private async webhook(isTest: boolean) {
		const additionalData = await additionalDataFor(this.options.credentials);
		additionalData.webhookBaseUrl = `${this.baseUrl}/webhook`;
		additionalData.webhookTestBaseUrl = `${this.baseUrl}/webhook-test`;
		const type = await nodeType(TRIGGER_NODE);
		const description = type.description.webhooks![0];
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: this.node.name,
			path: `${this.node.webhookId}/${description.path as string}`,
			webhookDescription: description,
			workflowId: 'test',
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node.webhookId,
			isTest,
		};
		return { type, additionalData, webhookData };
	}

	async lifecycle(method: 'checkExists' | 'create' | 'delete', isTest: boolean) {
		const { type, additionalData, webhookData } = await this.webhook(isTest);
		const hook = type.webhookMethods?.default?.[method];
		if (!hook) throw new Error(`the trigger has no ${method}`);
		const mode = isTest ? 'manual' : 'trigger';
		return await hook.call(new n8nCore.HookContext(this.workflow!, this.node, additionalData, mode, 'activate', webhookData));
	}

	/** What n8n does on publish (or "Listen for test event" with isTest). */
	async activate(isTest = false): Promise<void> {
		if (!(await this.lifecycle('checkExists', isTest))) await this.lifecycle('create', isTest);
	}

	/** What n8n does on unpublish (or when test listening ends). */
	async deactivate(isTest = false): Promise<void> {
		await this.lifecycle('delete', isTest);
	}

	/** The URL this node registers (n8n's URL without the secret). */
	webhookUrl(isTest = false): string {
		return `${this.baseUrl}/${isTest ? 'webhook-test' : 'webhook'}/${this.node.webhookId}/onemsg`;
	}

	private async handle(req: IncomingMessage, res: ServerResponse) {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const raw = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', this.baseUrl);
		const isTest = url.pathname.startsWith('/webhook-test/');
		const { type, additionalData, webhookData } = await this.webhook(isTest);
		// n8n hands the node Express's request and response: node's own, with these added
		additionalData.httpRequest = Object.assign(req, { body: raw ? JSON.parse(raw) : {}, query: Object.fromEntries(url.searchParams), params: {} }) as never;
		additionalData.httpResponse = Object.assign(res, {
			status(code: number) {
				res.statusCode = code;
				return this;
			},
			json(value: unknown) {
				res.setHeader('content-type', 'application/json').end(JSON.stringify(value));
			},
		}) as never;
		const mode = isTest ? 'manual' : 'webhook';
		const context = new n8nCore.WebhookContext(this.workflow!, this.node, additionalData, mode, webhookData, [], null);
		try {
			const result = await type.webhook!.call(context);
			if (result.workflowData) {
				this.executions.push(result.workflowData[0]);
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"Workflow was started"}');
			}
		} catch (error) {
			this.thrown.push(error);
			this.executions.push([]);
			res.writeHead(500).end('{"message":"Error in workflow"}');
		}
	}

	/** Sends one request to a webhook URL, as 1MSG (or anyone) would: `body` as JSON. */
	async postTo(url: string, body: unknown) {
		const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		return { status: answer.status, body: await answer.text(), headers: Object.fromEntries(answer.headers) };
	}
}
