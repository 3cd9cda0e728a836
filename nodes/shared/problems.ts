/**
 * A problem with what the user gave us, found before anything is sent. `field` is the label the
 * user sees in the editor, so the glue can name it in the error shown on the item.
 */
export class InputProblem extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InputProblem';
	}
}
