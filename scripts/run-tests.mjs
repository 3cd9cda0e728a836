// Runs every check and suite behind `npm test` (and so `.ci/run`), then prints one closing line:
// "N passed, M failed" over all of them. Each vitest test counts once; typecheck, lint and build
// count as one check each.
// `npm test -- --no-e2e` skips the end-to-end suite (it installs and starts a real n8n).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const resultsDir = path.join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(label, command, args, env = {}) {
	console.log(`\n\u001b[1m▶ ${label}\u001b[0m  (${[command, ...args].join(' ')})`);
	const started = Date.now();
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	return { ok: result.status === 0, seconds };
}

function check(label, command, args) {
	const { ok, seconds } = run(label, command, args);
	totals[ok ? 'passed' : 'failed']++;
	lines.push(`${label}: ${ok ? 'passed' : 'FAILED'} (${seconds}s)`);
	return ok;
}

function vitestSuite(label, project, extraArgs = []) {
	const report = path.join(resultsDir, `${project}.json`);
	const { ok, seconds } = run(label, 'npx', [
		'vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs,
	]);
	let counts = { passed: 0, failed: 0, skipped: 0 };
	try {
		const json = JSON.parse(readFileSync(report, 'utf8'));
		counts = {
			passed: json.numPassedTests,
			failed: json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0) + (json.numFailedTestSuites && !json.numFailedTests ? json.numFailedTestSuites : 0),
			skipped: json.numPendingTests + json.numTodoTests,
		};
	} catch {
		counts.failed = 1; // no report: the suite did not run at all
	}
	if (!ok && counts.failed === 0) counts.failed = 1;
	if (counts.passed + counts.failed === 0) counts.failed = 1; // a suite that ran no test is a failure
	for (const key of Object.keys(totals)) totals[key] += counts[key];
	lines.push(`${label}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${seconds}s)`);
}

const npx = 'npx';
check('typecheck', npx, ['tsc', '--noEmit', '-p', 'tsconfig.json']);
check('typecheck tests', npx, ['tsc', '-p', 'test/tsconfig.json']);
check('typecheck scripts (runnable by Node as is)', npx, ['tsc', '-p', 'scripts/tsconfig.json']);
check('lint (n8n-node lint, strict)', npx, ['n8n-node', 'lint']);
const skipE2e = process.argv.includes('--no-e2e');
if (check('build', 'npm', ['run', '--silent', 'build'])) {
	check("n8n's community package scanner (packed tarball and sources, offline)", 'node', ['scripts/scan-package.mjs']);
	vitestSuite('unit and integration (vitest, n8n-core engine, fake 1MSG)', 'integration');
	if (!skipE2e) vitestSuite('end to end (packed package in a real n8n 2.40.7, single and queue mode)', 'e2e');
} else {
	totals.failed++;
	lines.push('unit and integration: not run, the build failed');
}

console.log('\n' + lines.map((l) => `  ${l}`).join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed ? 1 : 0);
