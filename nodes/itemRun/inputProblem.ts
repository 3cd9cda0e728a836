/**
 * A problem with what the user gave us, found before anything is sent. Its message names the field
 * as the editor labels it; `hint` says what to do.
 */
export class InputProblem extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InputProblem';
	}
}
