import { createHash } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Action } from './common';
import { forOperations } from '../../itemRun/operations';
import { preparedSend, readRecipient, readReplyTo } from './common';
import type { ItemParameters } from '../../itemRun/itemParameters';
import { fileNameFromUrl } from '../../api/incomingMessages';
import { InputProblem } from '../../itemRun/inputProblem';
import { messageText } from '../../api/text';

export const MAX_CAPTION = 1024;

const WITH_EXTENSION = /\.[A-Za-z0-9]{1,8}$/;

function checkedFileName(name: string, from: string): string {
	if (!name) {
		throw new InputProblem(`File Name is empty and ${from} gives none`, 'Enter the file name with its extension, e.g. invoice.pdf');
	}
	if (!WITH_EXTENSION.test(name)) {
		throw new InputProblem(`File Name "${name}" has no extension`, 'WhatsApp shows the file by its extension: add one, e.g. invoice.pdf');
	}
	return name;
}

/** The file as 1MSG's sendFile takes it: a public link, or the bytes as a data URI. */
async function fileBody(context: IExecuteFunctions, itemIndex: number, param: ItemParameters): Promise<{ body: string; filename: string }> {
	const given = String(param('fileName', itemIndex, '') ?? '').trim();
	if (param('fileSource', itemIndex, 'url') === 'binary') {
		const property = String(param('binaryProperty', itemIndex, 'data') ?? '').trim() || 'data';
		const binary = context.getInputData()[itemIndex]?.binary ?? {};
		const file = binary[property];
		if (!file) {
			const present = Object.keys(binary);
			throw new InputProblem(`The item has no binary property "${property}"`,
				present.length ? `It has ${present.map((name) => `"${name}"`).join(', ')}: use one of those` : 'The input item carries no file: download or read one first',
			);
		}
		const data = await context.helpers.getBinaryDataBuffer(itemIndex, property);
		const mimeType = file.mimeType || 'application/octet-stream';
		return { body: `data:${mimeType};base64,${data.toString('base64')}`, filename: checkedFileName(given || (file.fileName ?? ''), `binary property "${property}"`) };
	}
	const url = String(param('fileUrl', itemIndex, '') ?? '').trim();
	if (!/^https?:\/\/\S+$/i.test(url) || !URL.canParse(url)) {
		throw new InputProblem(url ? `File URL "${url}" is not an http(s) link` : 'File URL is empty', 'Give a public link WhatsApp can download the file from');
	}
	return { body: url, filename: checkedFileName(given || (fileNameFromUrl(url) ?? ''), 'the link') };
}

/** Send File: POST /sendFile, a document, image, audio or video from a link or from the input item's binary data. */
export const sendFile: Action = {
	properties: [
		{
			displayName: 'File Source',
			name: 'fileSource',
			type: 'options',
			default: 'url',
			options: [
				{ name: 'Link', value: 'url', description: 'A public http(s) link WhatsApp downloads the file from' },
				{ name: 'Binary Data of the Input Item', value: 'binary', description: 'A file an earlier node read or downloaded; sent to 1MSG inline' },
			],
			displayOptions: forOperations(['sendFile']),
		},
		{
			displayName: 'File URL',
			name: 'fileUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://files.example.com/manual.pdf',
			displayOptions: { show: { operation: ['sendFile'], fileSource: ['url'] } },
		},
		{
			displayName: 'Input Binary Field',
			name: 'binaryProperty',
			type: 'string',
			required: true,
			default: 'data',
			hint: 'The name of the input item’s binary property that holds the file',
			displayOptions: { show: { operation: ['sendFile'], fileSource: ['binary'] } },
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			placeholder: 'invoice.pdf',
			description: 'With its extension. Empty: the binary data’s file name, or the last part of the link.',
			displayOptions: forOperations(['sendFile']),
		},
		{
			displayName: 'Caption',
			name: 'caption',
			type: 'string',
			default: '',
			typeOptions: { rows: 2 },
			description: 'Optional text shown with the file, at most 1,024 characters',
			displayOptions: forOperations(['sendFile']),
		},
	],

	async prepare(context, itemIndex, param) {
		const recipient = readRecipient(param, itemIndex);
		const file = await fileBody(context, itemIndex, param);
		const caption = messageText(param('caption', itemIndex, ''), 'Caption', MAX_CAPTION, { required: false });
		const replyTo = readReplyTo(param, itemIndex);
		const body = { ...file, ...(caption.trim() ? { caption } : {}), ...(replyTo ? { quotedMsgId: replyTo } : {}) };
		// Skip Items Already Sent keys a file sent inline by a hash of its data URI (its bytes and type), not the megabytes themselves
		const inline = file.body.startsWith('data:');
		const content = () => (inline ? { ...body, body: createHash('sha256').update(file.body).digest('base64') } : body);
		return preparedSend(context, itemIndex, param, { path: 'sendFile', operation: 'sendFile', recipient, body }, content);
	},
};
