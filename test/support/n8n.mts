/**
 * Runs this package's nodes through n8n-core's real execution engine: the package is loaded from
 * its built `dist/` by n8n's own PackageDirectoryLoader (as a community package is), and a workflow
 * is executed by WorkflowExecute. Only the credential store is ours: it hands out the test's
 * credential and authenticates requests the way n8n's CLI does for generic credential types.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'onemsg-n8n-'));

// Loaded with require, as n8n loads them and as our built nodes do: one copy of each class, so
// `instanceof NodeApiError` means the same thing in n8n-core, in the nodes and in the tests.
const require = createRequire(import.meta.url);
export const n8nCore = require('n8n-core') as typeof import('n8n-core');
export const n8nWorkflow = require('n8n-workflow') as typeof import('n8n-workflow');
const { ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } = n8nCore;
const { ICredentialsHelper, NodeHelpers, Workflow } = n8nWorkflow;

import type {
	ICredentialDataDecryptedObject,
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
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	ResourceMapperFields,
	Workflow as WorkflowType,
} from 'n8n-workflow';

export const PACKAGE_ROOT = path.resolve(import.meta.dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-onemsg';
export const SEND_NODE = `${PACKAGE_NAME}.oneMsgSendTemplate`;
export const TRIGGER_NODE = `${PACKAGE_NAME}.oneMsgTrigger`;
export const ONEMSG_NODE = `${PACKAGE_NAME}.oneMsg`;
export const CREDENTIAL = 'oneMsgChannelApi';
export const NODE_NAME = 'OneMsg';

let loaderPromise: Promise<InstanceType<typeof PackageDirectoryLoader>> | undefined;

export async function loadPackage() {
	loaderPromise ??= (async () => {
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return await loaderPromise;
}

export async function nodeTypes(): Promise<INodeTypes> {
	const loader = await loadPackage();
	const byName = (type: string): INodeType | IVersionedNodeType => {
		const short = type.startsWith(`${PACKAGE_NAME}.`) ? type.slice(PACKAGE_NAME.length + 1) : type;
		const loaded = loader.nodeTypes[short] ?? loader.nodeTypes[type];
		if (!loaded) throw new Error(`node type ${type} is not in the package`);
		return loaded.type;
	};
	return {
		getByName: byName,
		getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(byName(type), version),
		getKnownTypes: () => ({}),
	};
}

export async function credentialType(): Promise<ICredentialType> {
	const loader = await loadPackage();
	return loader.credentialTypes[CREDENTIAL].type;
}

/** The credential store of a test run: one `oneMsgChannelApi` credential, given by the test. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly type: ICredentialType,
		private readonly data: ICredentialDataDecryptedObject,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	// As n8n's CLI CredentialsHelper does for `authenticate: { type: 'generic' }`: each property is
	// an expression resolved with `$credentials`.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: WorkflowType,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const auth = this.type.authenticate;
		if (typeof auth === 'function') return await auth(credentials, requestOptions);
		if (!auth || auth.type !== 'generic' || !workflow || !node) return requestOptions;
		for (const [where, values] of Object.entries(auth.properties)) {
			const target = ((requestOptions as unknown as Record<string, IDataObject>)[where] ??= {});
			for (const [key, value] of Object.entries(values as Record<string, string>)) {
				target[key] = resolveCredentialExpression(workflow, node, value, credentials);
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these nodes');
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return structuredClone(this.data);
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return this.type.properties;
	}
}

export function resolveCredentialExpression(
	workflow: WorkflowType,
	node: INode,
	value: string,
	credentials: ICredentialDataDecryptedObject,
): string {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
	return resolved === undefined || resolved === null ? '' : String(resolved);
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

async function testWorkflow(node: INode): Promise<WorkflowType> {
	return new Workflow({ id: 'test', nodes: [node], connections: {}, active: false, nodeTypes: await nodeTypes() });
}

async function additionalDataFor(node: INode, credentials: ICredentialDataDecryptedObject) {
	const hooks = new ExecutionLifecycleHooks('manual', '1', {
		id: 'test',
		name: 'test',
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes: [node],
		connections: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	});
	return {
		credentialsHelper: new TestCredentialsHelper(await credentialType(), credentials),
		hooks,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('not used');
		},
		logAiEvent: () => {},
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Runs the node once over `items`, as WorkflowExecute runs a node in a manual execution. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const node = testNode(options);
	const workflow = await testWorkflow(node);
	const additionalData = await additionalDataFor(node, options.credentials);
	const runExecutionData = {
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [
				{ node, data: { main: [options.inputItems ?? (options.items ?? [{}]).map((json) => ({ json }))] }, source: null },
			],
		},
	} as unknown as IRunExecutionData;

	const run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
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
	const additionalData = await additionalDataFor(node, options.credentials);
	additionalData.currentNodeParameters = options.parameters; // what the editor sends with the request
	const context = new n8nCore.LoadOptionsContext(await testWorkflow(node), node, additionalData, '');
	const nodeType = (await nodeTypes()).getByNameAndVersion(node.type, 1) as INodeType;
	const call = nodeType.methods?.[kind]?.[method] as ((this: unknown, ...args: unknown[]) => Promise<unknown>) | undefined;
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

/** Resolves a credential expression (test request, authenticate) with n8n's expression engine. */
export async function resolveForCredential(value: string, credentials: ICredentialDataDecryptedObject): Promise<string> {
	const node = testNode({ parameters: {} });
	return resolveCredentialExpression(await testWorkflow(node), node, value, credentials);
}

export interface WebhookCall {
	status: number;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

/**
 * The OneMsg Trigger as n8n drives it: activation and deactivation through n8n-core's HookContext
 * (checkExists, then create when it answers false; delete), and each HTTP request to the webhook
 * URL through WebhookContext, on a real loopback server. Like n8n, a webhook() that returns
 * workflowData starts an execution (recorded in `executions`); one that throws answers 500 and also
 * starts one; `noWebhookResponse` leaves the answer to the node.
 */
export class TriggerHarness {
	readonly executions: INodeExecutionData[][] = [];
	readonly thrown: unknown[] = [];
	private server?: import('node:http').Server;
	private workflow?: WorkflowType;
	private node: INode;
	baseUrl = '';

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
		const { createServer } = await import('node:http');
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		const { port } = this.server.address() as import('node:net').AddressInfo;
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.workflow = await testWorkflow(this.node);
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async additionalData() {
		const data = await additionalDataFor(this.node, this.options.credentials);
		data.webhookBaseUrl = `${this.baseUrl}/webhook`;
		data.webhookTestBaseUrl = `${this.baseUrl}/webhook-test`;
		return data;
	}

	private async webhookData(isTest = false) {
		const nodeType = (await nodeTypes()).getByNameAndVersion(TRIGGER_NODE, 1) as INodeType;
		const description = nodeType.description.webhooks![0];
		return {
			httpMethod: 'POST' as const,
			node: this.node.name,
			path: `${this.node.webhookId}/${description.path as string}`,
			webhookDescription: description,
			workflowId: 'test',
			workflowExecuteAdditionalData: await this.additionalData(),
			webhookId: this.node.webhookId,
			isTest,
		};
	}

	async lifecycle(method: 'checkExists' | 'create' | 'delete', isTest: boolean) {
		const nodeType = (await nodeTypes()).getByNameAndVersion(TRIGGER_NODE, 1) as INodeType;
		const webhookData = await this.webhookData(isTest);
		const context = new n8nCore.HookContext(
			this.workflow!,
			this.node,
			webhookData.workflowExecuteAdditionalData,
			isTest ? 'manual' : 'trigger',
			'activate',
			webhookData,
		);
		const hook = nodeType.webhookMethods?.default?.[method];
		if (!hook) throw new Error(`the trigger has no ${method}`);
		return await hook.call(context);
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

	private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const url = new URL(req.url ?? '/', this.baseUrl);
		let body: unknown = {};
		const raw = Buffer.concat(chunks).toString('utf8');
		try {
			body = raw ? JSON.parse(raw) : {};
		} catch {
			// n8n answers malformed JSON with its own 422 before any node runs
			res.writeHead(422, { 'content-type': 'application/json' }).end('{"message":"invalid JSON"}');
			return;
		}
		const isTest = url.pathname.startsWith('/webhook-test/');
		const httpRequest = { body, headers: req.headers, query: Object.fromEntries(url.searchParams), params: {}, method: req.method };
		const httpResponse = {
			statusCode: 200,
			status(code: number) {
				this.statusCode = code;
				return this;
			},
			setHeader(name: string, value: string) {
				res.setHeader(name, value);
				return this;
			},
			json(value: unknown) {
				res.writeHead(this.statusCode, { 'content-type': 'application/json' }).end(JSON.stringify(value));
			},
			send(value: unknown) {
				res.writeHead(this.statusCode).end(typeof value === 'string' ? value : JSON.stringify(value));
			},
			end() {
				res.writeHead(this.statusCode).end();
			},
		};
		const webhookData = await this.webhookData(isTest);
		const additionalData = webhookData.workflowExecuteAdditionalData as IWorkflowExecuteAdditionalData & IDataObject;
		additionalData.httpRequest = httpRequest as never;
		additionalData.httpResponse = httpResponse as never;
		const context = new n8nCore.WebhookContext(this.workflow!, this.node, additionalData, isTest ? 'manual' : 'webhook', webhookData, [], null);
		const nodeType = (await nodeTypes()).getByNameAndVersion(TRIGGER_NODE, 1) as INodeType;
		try {
			const result = await nodeType.webhook!.call(context);
			if (result.workflowData) {
				this.executions.push(result.workflowData[0]);
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"Workflow was started"}');
			} else if (!result.noWebhookResponse) {
				res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result.webhookResponse ?? {}));
			}
		} catch (error) {
			this.thrown.push(error);
			this.executions.push([]);
			res.writeHead(500).end('{"message":"Error in workflow"}');
		}
	}

	/** Sends one request to a webhook URL, as 1MSG (or anyone) would: `body` as JSON, or `raw` as is. */
	async postTo(url: string, body: unknown, raw?: string): Promise<WebhookCall> {
		const answer = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: raw ?? JSON.stringify(body),
		});
		const text = await answer.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		return { status: answer.status, body: parsed, headers: Object.fromEntries(answer.headers) };
	}
}

/** Resolves an expression of the node's description (a subtitle, say) as the editor does, for given parameters. */
export async function resolveForNode(value: string, parameters: INodeParameters): Promise<unknown> {
	const node = testNode({ parameters });
	return (await testWorkflow(node)).expression.getSimpleParameterValue(node, value, 'internal', {}, undefined, '');
}
