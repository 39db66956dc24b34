import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          server: { deps: { inline: ['electron-store'] } },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // One private dockerd for the whole run; files share it, so run them one at a time.
          globalSetup: ['test/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'k8s',
          include: ['test/k8s/**/*.test.ts'],
          environment: 'node',
          // One real single-node cluster (scripts/kube-cluster.sh) for the whole run; files share it.
          globalSetup: ['test/support/k8s-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          // A clean machine builds the cluster's binaries first (~6 min).
          hookTimeout: 20 * 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // Builds dist/renderer once, then each file drives it in real Chromium. `runner-tray serve`
          // tests also need the private dockerd with the stand-in runner image (inject('dockerSocket')).
          globalSetup: ['test/support/e2e-build.ts', 'test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
