/**
 * Customer messages and echoes of the business's own messages, in both forms 1MSG POSTs them: its
 * normalized `messages[]` (the default) and Meta's raw `entry[].changes[].value.messages[]` /
 * `message_echoes[]` (channels with `rawHooks` on). One record per message. Pure and total: any
 * input gives a (possibly empty) list and never throws; a message that cannot be classified still
 * comes out, as type `unknown` with its `raw`, so nothing a customer sends is lost.
 */
import { channelOfBody, isObject, isoTimestamp, list, nonEmptyString, type Json } from './deliveryEvents';

export const MESSAGE_TYPES = [
	'text',
	'image',
	'video',
	'audio',
	'voice',
	'document',
	'sticker',
	'location',
	'contacts',
	'button',
	'interactive',
	'reaction',
	'unknown',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface MessageMedia {
	/** A direct download link (normalized form); null in Meta's form, which gives a media id instead. */
	url: string | null;
	mimeType: string | null;
	fileName: string | null;
	/** Meta's media id (raw form only). */
	id?: string;
}

export interface IncomingMessage {
	event: 'message' | 'echo';
	messageId: string | null;
	type: MessageType;
	text: string | null;
	phone: string | null;
	chatId: string | null;
	customerName: string | null;
	replyTo: string | null;
	media: MessageMedia | null;
	timestamp: string | null;
	channelId: string | null;
	raw: unknown;
}

/** A non-blank string as written (not trimmed: a message keeps its spacing), or a number as text. */
const text = (value: unknown): string | null =>
	typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
const trimmed = nonEmptyString;
/** The per-type part of a Meta message (`record.image` for an image…), own properties only. */
const partOf = (record: Json): Json => {
	const key = typeof record.type === 'string' ? record.type : '';
	const part = Object.hasOwn(record, key) ? record[key] : undefined;
	return isObject(part) ? part : {};
};

const MEDIA_TYPES = new Set<MessageType>(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

// 1MSG's type names (normalized form) that differ from ours; `ptt` is WhatsApp's name for a voice note.
const TYPE_ALIASES: Record<string, MessageType> = {
	chat: 'text',
	ptt: 'voice',
	contact: 'contacts',
	vcard: 'contacts',
	multi_vcard: 'contacts',
	buttons_response: 'button',
	list_response: 'interactive',
};

export function messageType(value: unknown): MessageType {
	const name = trimmed(value)?.toLowerCase();
	if (!name) return 'unknown';
	if (Object.hasOwn(TYPE_ALIASES, name)) return TYPE_ALIASES[name];
	return (MESSAGE_TYPES as readonly string[]).includes(name) ? (name as MessageType) : 'unknown';
}

/** `fromMe` arrives as a boolean in webhooks and as 0/1 in history; `self` is the fallback. */
export function isFromMe(record: Json): boolean {
	const truthy = (value: unknown) => value === true || value === 1 || value === '1' || value === 'true';
	if (record.fromMe !== undefined && record.fromMe !== null) return truthy(record.fromMe);
	return truthy(record.self);
}

/** The customer's digits from a chat id or a bare number; null for hidden numbers (`@lid`), groups and junk. */
export function phoneOfChat(chatId: string | null): string | null {
	if (!chatId) return null;
	const [digits, domain = 'c.us'] = chatId.trim().replace(/^\+/, '').split('@');
	return domain.toLowerCase() === 'c.us' && /^\d{6,20}$/.test(digits) ? digits : null;
}

/** Meta gives bare numbers (`from`, `to`); 1MSG's chat ids carry `@c.us`. */
function chatIdOf(value: unknown): string | null {
	const id = trimmed(value);
	if (!id) return null;
	if (id.includes('@')) return id;
	return /^\+?\d+$/.test(id) ? `${id.replace(/^\+/, '')}@c.us` : `${id}@lid`;
}

// a caption is taken for a file name only when it has no spaces; a link's last segment may have them
const FILE_NAME = /^[^\s/\\]+\.[A-Za-z0-9]{1,8}$/;
const URL_FILE_NAME = /^[^/\\]*[^\s/\\]\.[A-Za-z0-9]{1,8}$/;

/** The last path segment of a link, when it looks like a file name. */
export function fileNameFromUrl(url: string | null): string | null {
	if (!url || !URL.canParse(url)) return null;
	const last = new URL(url).pathname.split('/').pop() ?? '';
	let name: string;
	try {
		name = decodeURIComponent(last);
	} catch {
		name = last;
	}
	return URL_FILE_NAME.test(name) ? name : null;
}

function normalizedMedia(type: MessageType, record: Json): MessageMedia | null {
	if (!MEDIA_TYPES.has(type)) return null;
	const body = trimmed(record.body);
	const url = body && /^https?:\/\//i.test(body) ? body : null;
	const caption = trimmed(record.caption);
	const fileName = type === 'document' && caption && FILE_NAME.test(caption) ? caption : fileNameFromUrl(url);
	return { url, mimeType: trimmed(record.mimetype) ?? trimmed(record.mimeType), fileName };
}

/** What a person reads, in the normalized form: the body of a text, the caption of media, the label of a reply. */
function normalizedText(type: MessageType, record: Json): string | null {
	if (MEDIA_TYPES.has(type)) return text(record.caption);
	if (type === 'location' || type === 'contacts') return null; // coordinates, or a base64 vCard
	const body = text(record.body);
	return type === 'unknown' && body && /^https?:\/\//i.test(body) ? null : body;
}

function fromNormalized(record: Json, channelId: string | null): IncomingMessage {
	const type = messageType(record.type);
	const echo = isFromMe(record);
	const chatId = trimmed(record.chatId) ?? (echo ? null : trimmed(record.author));
	return {
		event: echo ? 'echo' : 'message',
		messageId: trimmed(record.id),
		type,
		text: normalizedText(type, record),
		phone: phoneOfChat(chatId),
		chatId,
		// on an echo, senderName is the business's own number
		customerName: echo ? null : trimmed(record.senderName),
		replyTo: trimmed(record.quotedMsgId),
		media: normalizedMedia(type, record),
		timestamp: isoTimestamp(record.time ?? record.timestamp),
		channelId,
		raw: record,
	};
}

function metaText(type: MessageType, record: Json): string | null {
	const part = partOf(record);
	switch (type) {
		case 'text':
			return text(part.body);
		case 'button':
			return text(part.text) ?? text(part.payload);
		case 'interactive': {
			const reply = [part.button_reply, part.list_reply, part.nfm_reply].find(isObject);
			return reply ? (text(reply.title) ?? text(reply.body)) : null;
		}
		case 'reaction':
			return text(part.emoji);
		default:
			return MEDIA_TYPES.has(type) ? text(part.caption) : null;
	}
}

function metaMedia(type: MessageType, record: Json): MessageMedia | null {
	if (!MEDIA_TYPES.has(type)) return null;
	const part = partOf(record);
	const id = trimmed(part.id);
	return {
		url: trimmed(part.url) ?? trimmed(part.link),
		mimeType: trimmed(part.mime_type),
		fileName: trimmed(part.filename),
		...(id ? { id } : {}),
	};
}

function fromMeta(record: Json, value: Json, echo: boolean, channelId: string | null): IncomingMessage {
	let type = messageType(record.type);
	if (type === 'audio' && isObject(record.audio) && record.audio.voice === true) type = 'voice';
	// an echo is addressed to the customer; a customer's message comes from them
	const customer = trimmed(echo ? record.to : record.from);
	const contacts = list(value.contacts).filter(isObject);
	const contact = contacts.find((c) => trimmed(c.wa_id) === customer) ?? (contacts.length === 1 && !contacts[0].wa_id ? contacts[0] : undefined);
	const context = isObject(record.context) ? record.context : {};
	const reaction = type === 'reaction' && isObject(record.reaction) ? record.reaction : {};
	const chatId = chatIdOf(customer);
	return {
		event: echo ? 'echo' : 'message',
		messageId: trimmed(record.id),
		type,
		text: metaText(type, record),
		phone: phoneOfChat(chatId),
		chatId,
		customerName: echo ? null : trimmed(isObject(contact?.profile) ? contact.profile.name : undefined),
		replyTo: trimmed(context.id) ?? trimmed(reaction.message_id),
		media: metaMedia(type, record),
		timestamp: isoTimestamp(record.timestamp),
		channelId,
		raw: record,
	};
}

export interface IncomingReport {
	channelId: string | null;
	messages: IncomingMessage[];
}

/** Every message and echo of one webhook POST: the normalized `messages[]` first, then Meta's form. */
export function parseIncomingMessages(body: unknown): IncomingReport {
	if (!isObject(body)) return { channelId: null, messages: [] };
	const channelId = channelOfBody(body);
	const messages: IncomingMessage[] = [];
	for (const record of list(body.messages)) {
		if (isObject(record) && Object.keys(record).length) messages.push(fromNormalized(record, channelId));
	}
	for (const entry of list(body.entry)) {
		for (const change of isObject(entry) ? list(entry.changes) : []) {
			const value = isObject(change) && isObject(change.value) ? change.value : undefined;
			if (!value) continue;
			for (const [key, echo] of [['messages', false], ['message_echoes', true]] as const) {
				for (const record of list(value[key])) {
					if (isObject(record) && Object.keys(record).length) messages.push(fromMeta(record, value, echo, channelId));
				}
			}
		}
	}
	return { channelId, messages };
}
