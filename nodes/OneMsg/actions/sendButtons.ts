import type { Action } from './common';
import { forOperations } from '../../itemRun/operations';
import { preparedSend, readRecipient, readReplyTo, textProperty } from './common';
import { InputProblem } from '../../itemRun/inputProblem';
import { characterCount, messageText } from '../../api/text';
import { MAX_TEXT } from './sendText';

export const MAX_BUTTONS = 3;
export const MAX_BUTTON_TITLE = 20;

interface ButtonValue {
	id?: unknown;
	title?: unknown;
}

/** The reply buttons of one item, checked: 1 to 3, titles of 1 to 20 characters, distinct ids (the title when none is given). */
export function readButtons(value: unknown): Array<{ id: string; title: string }> {
	const given = (value as { button?: ButtonValue[] } | undefined)?.button;
	const buttons = Array.isArray(given) ? given : [];
	if (!buttons.length) throw new InputProblem('No buttons given', 'Add 1 to 3 reply buttons');
	if (buttons.length > MAX_BUTTONS) {
		throw new InputProblem(`${buttons.length} buttons given; WhatsApp allows at most ${MAX_BUTTONS} reply buttons`, 'Remove buttons, or send a list instead');
	}
	const checked = buttons.map((button, index) => {
		const title = String(button.title ?? '').trim();
		const label = `Button ${index + 1}`;
		if (!title) throw new InputProblem(`${label} has no title`);
		if (characterCount(title) > MAX_BUTTON_TITLE) {
			throw new InputProblem(`${label} title "${title}" has ${characterCount(title)} characters; WhatsApp allows at most ${MAX_BUTTON_TITLE}`);
		}
		return { id: String(button.id ?? '').trim() || title, title };
	});
	const ids = checked.map((b) => b.id);
	const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
	if (repeated) throw new InputProblem(`Two buttons have the ID "${repeated}"`, 'Give each button its own ID: it is what the customer’s reply carries');
	return checked;
}

/** Send Buttons: POST /sendButton, a text with up to 3 reply buttons. */
export const sendButtons: Action = {
	properties: [
		textProperty(
			'sendButtons',
			'The question above the buttons, 1 to 4,096 characters (WhatsApp documents 1,024 for button messages; 1MSG may refuse a longer one)',
			3,
		),
		{
			displayName: 'Buttons',
			name: 'buttons',
			type: 'fixedCollection',
			placeholder: 'Add Button',
			default: {},
			typeOptions: { multipleValues: true, sortable: true },
			description:
				'Up to 3 reply buttons. The customer’s tap arrives at the OneMsg Trigger as an interactive message whose text is the title.',
			displayOptions: forOperations(['sendButtons']),
			options: [
				{
					displayName: 'Button',
					name: 'button',
					values: [
						{
							displayName: 'Title',
							name: 'title',
							type: 'string',
							default: '',
							description: 'What the button says, at most 20 characters',
						},
						{
							displayName: 'ID',
							name: 'id',
							type: 'string',
							default: '',
							description: 'What the reply carries to identify the button; the title when empty',
						},
					],
				},
			],
		},
	],

	async prepare(context, itemIndex, param) {
		const recipient = readRecipient(param, itemIndex);
		const text = messageText(param('text', itemIndex, ''), 'Text', MAX_TEXT);
		const buttons = readButtons(param('buttons', itemIndex, {}));
		const replyTo = readReplyTo(param, itemIndex);
		return preparedSend(context, itemIndex, param, {
			path: 'sendButton',
			operation: 'sendButtons',
			recipient,
			body: {
				body: text,
				sections: buttons.map((reply) => ({ type: 'reply', reply })),
				...(replyTo ? { quotedMsgId: replyTo } : {}),
			},
		});
	},
};
