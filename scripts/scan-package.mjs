// n8n's community-package scanner (@n8n/scan-community-package, the check behind n8n's verification),
// run offline. Its CLI downloads a published version from the registry; this runs the same analysis on
// what would be published: the packed tarball of the current build, unpacked, every .js/.ts/.json in
// it (stricter than the CLI, which reads only .js and package.json there), and the sources the CLI
// reads from the repository commit that npm provenance names (package.json, nodes/, credentials/).
// The scanner ignores eslint-disable comments, so a finding here is one n8n's verification would report.
// Exits 1 on any finding. Needs a build (`npm run build`) first.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packPackage, ROOT, run } from './lib/localN8n.mts';

const scannerPath = createRequire(import.meta.url).resolve('@n8n/scan-community-package/scanner/scanner.mjs');
// The scanner makes a temporary folder when it is loaded and removes it only on graceful cleanup.
createRequire(scannerPath)('tmp').setGracefulCleanup();
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(scannerPath);

const workDir = mkdtempSync(path.join(tmpdir(), 'onemsg-scan-'));
try {
	const tarball = await packPackage(workDir);
	const unpacked = path.join(workDir, 'package');
	mkdirSync(unpacked);
	await run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], { quiet: true });

	const legs = [
		{ label: 'packed tarball', result: await analyzePackage(unpacked) },
		{ label: 'sources (package.json, nodes/, credentials/)', result: await analyzePackage(ROOT, SOURCE_FILE_PATTERNS) },
	];
	for (const { label, result } of legs) {
		console.log(`${result.passed ? '✔' : '✘'} ${label}: ${result.passed ? 'no findings' : result.message}`);
		if (result.details) console.log(result.details);
	}
	process.exitCode = legs.every((leg) => leg.result.passed) ? 0 : 1;
} finally {
	rmSync(workDir, { recursive: true, force: true });
}
