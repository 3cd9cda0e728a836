import type { Action } from './common';
import { getWindow } from './getWindow';
import { markAsRead } from './markAsRead';
import { sendButtons } from './sendButtons';
import { sendFile } from './sendFile';
import { sendText } from './sendText';

export const ACTIONS: Record<string, Action> = { sendText, sendFile, sendButtons, markAsRead, getWindow };

export function actionFor(operation: string): Action | undefined {
	return Object.hasOwn(ACTIONS, operation) ? ACTIONS[operation] : undefined;
}
