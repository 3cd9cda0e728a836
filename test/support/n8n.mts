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
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	Workflow as WorkflowType,
} from 'n8n-workflow';

export const PACKAGE_ROOT = path.resolve(import.meta.dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-onemsg';
export const SEND_NODE = `${PACKAGE_NAME}.oneMsgSendTemplate`;
export const TRIGGER_NODE = `${PACKAGE_NAME}.oneMsgTrigger`;
export const CREDENTIAL = 'oneMsgApi';
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

/** The credential store of a test run: one `oneMsgApi` credential, given by the test. */
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
				{ node, data: { main: [(options.items ?? [{}]).map((json) => ({ json }))] }, source: null },
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

/** Calls a listSearch method of the node as the editor does, through n8n-core's LoadOptionsContext. */
export async function listSearch(
	method: string,
	options: { parameters: INodeParameters; credentials: ICredentialDataDecryptedObject; filter?: string; type?: string },
) {
	const node = testNode(options);
	const workflow = await testWorkflow(node);
	const context = new n8nCore.LoadOptionsContext(workflow, node, await additionalDataFor(node, options.credentials), '');
	const nodeType = (await nodeTypes()).getByNameAndVersion(node.type, 1) as INodeType;
	const search = nodeType.methods?.listSearch?.[method];
	if (!search) throw new Error(`no listSearch method ${method}`);
	return await search.call(context, options.filter);
}

/** Resolves a credential expression (test request, authenticate) with n8n's expression engine. */
export async function resolveForCredential(value: string, credentials: ICredentialDataDecryptedObject): Promise<string> {
	const node = testNode({ parameters: {} });
	return resolveCredentialExpression(await testWorkflow(node), node, value, credentials);
}
