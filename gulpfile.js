// Copies what tsc does not: the icons (one pair for every node and the credential) and the codex files beside each node.
const { src, dest } = require('gulp');

function copyAssets() {
	return src(['icons/*.svg', 'nodes/**/*.node.json'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = copyAssets;
