// Retakes the README's editor screenshots from a running `npm start` (its examples and sandbox).
//
//   npm start                                   # in one terminal; wait for "ready"
//   apt-get install chromium                    # or any Chromium; CHROMIUM=/path/to/chrome
//   npm install --no-save playwright-core       # not a dependency of the package
//   node docs/screenshots/shoot.mjs
//
// Sets up n8n's owner account on a fresh .n8n-local (or signs in with N8N_EMAIL / N8N_PASSWORD).
import { chromium } from 'playwright-core';
import path from 'node:path';

const BASE = process.env.N8N_URL ?? 'http://localhost:5678';
const OWNER = { email: process.env.N8N_EMAIL ?? 'owner@example.com', password: process.env.N8N_PASSWORD ?? 'Onemsg-local-1' };
const OUT = import.meta.dirname;
const MANUAL_TRIGGER = 'When clicking ‘Execute workflow’';

const settings = await (await fetch(`${BASE}/rest/settings`)).json();
if (settings.data.userManagement.showSetupOnFirstLoad) {
	await fetch(`${BASE}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ ...OWNER, firstName: 'Local', lastName: 'Owner' }),
	});
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
await page.goto(`${BASE}/signin`);
await page.fill('input[type=email]', OWNER.email);
await page.fill('input[type=password]', OWNER.password);
await page.click('button:has-text("Sign in")');
await page.waitForURL((url) => !url.pathname.includes('signin'));

/** Opens a node of an example workflow; with `run`, runs the workflow from its manual trigger first. */
async function openNode(workflowId, nodeName, { run = false, height = 900 } = {}) {
	await page.setViewportSize({ width: 1280, height });
	await page.goto(`${BASE}/workflow/${workflowId}`);
	const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
	await node.waitFor();
	if (run) {
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${MANUAL_TRIGGER}"]`).hover();
		await page.locator(`[data-test-id="execute-workflow-button-${MANUAL_TRIGGER}"]`).click({ force: true });
		await page.waitForTimeout(8000);
	}
	await node.dblclick();
	await page.locator('[data-test-id="ndv"]').waitFor();
	await page.waitForTimeout(2500);
	await page.mouse.move(5, 5);
}

async function shot(selector, file) {
	const box = await page.locator(`${selector} >> visible=true`).first().boundingBox();
	await page.screenshot({ path: path.join(OUT, file), clip: box ?? undefined });
}

await openNode('onemsgExTicketAc', 'OneMsg: Ticket Accepted', { run: true });
await page.locator('[data-test-id="output-panel"]').getByText('JSON', { exact: true }).first().click();
await page.waitForTimeout(1000);
await shot('[data-test-id="ndv"]', 'send-template-ticket-accepted.png');

await openNode('onemsgExResolved', 'OneMsg: Ticket Resolved', { height: 1130 });
await shot('[data-test-id="ndv"]', 'send-template-custom-template.png');

await openNode('onemsgExCustMsg1', 'OneMsg Trigger', { height: 760 });
await shot('[data-test-id="ndv"]', 'trigger.png');

await openNode('onemsgExCustMsg1', 'OneMsg: Acknowledge', { height: 800 });
await shot('[data-test-id="ndv"]', 'onemsg-send-text.png');

await openNode('onemsgExTicketAc', 'OneMsg: Ticket Accepted');
await page.locator('[data-test-id="credential-edit-button"]').first().click();
await page.waitForTimeout(2500);
await shot('[data-test-id="editCredential-modal"], .el-dialog', 'credential.png');

await browser.close();
