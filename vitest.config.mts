import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		testTimeout: 30_000,
		hookTimeout: 60_000,
		pool: 'forks',
		projects: [
			{
				extends: true,
				test: { name: 'integration', include: ['test/**/*.test.mts'], exclude: ['test/e2e/**'] },
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['test/e2e/**/*.test.mts'],
					testTimeout: 120_000,
					hookTimeout: 900_000,
					fileParallelism: false,
				},
			},
		],
	},
});
