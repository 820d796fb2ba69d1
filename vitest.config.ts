import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";
import { fileURLToPath } from "node:url";
import { readdirSync, readFileSync } from "node:fs";

const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));
// Real kubectl protobuf bodies (base64 by file name) for the fuzz suite, which runs
// inside workerd where there is no file system.
const protobufDir = fileURLToPath(new URL("./test/fixtures/kubectl-protobuf", import.meta.url));
const protobufFixtures = Object.fromEntries(
  readdirSync(protobufDir)
    .filter((f) => f.endsWith(".pb"))
    .map((f) => [f, readFileSync(`${protobufDir}/${f}`).toString("base64")]),
);

export default defineConfig({
  test: {
    // One pool for all three projects: the e2e files (mostly waiting on clusters) run
    // beside the Miniflare and unit files instead of after them.
    maxWorkers: 2,
    projects: [
      // Pure functions: no bindings, plain Node.
      defineProject({
        // Timeouts are a safety net for a hung test, never a speed check: a busy machine
        // (CI, a laptop compiling) runs the same tests several times slower.
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
      }),
      // The worker, Durable Objects, alarms and D1 inside workerd (Miniflare).
      defineProject({
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Lease writes rarer than renewals (10 s), so the lifecycle tests see the batching;
            // a Job's back-off after a failed pod in fractions of a second.
            miniflare: {
              bindings: {
                API_TOKEN: "test-token",
                // The tests' base URL is the cluster's host (as a custom domain would be).
                API_HOSTS: "edgekube.test",
                TEST_MIGRATIONS: migrations,
                TEST_PROTOBUF_FIXTURES: protobufFixtures,
                NODE_LEASE_WRITE_INTERVAL: "30s",
                // Each heartbeat's renewal sent at once: the tests run node alarms on fake
                // clocks back to back, and a real-time batching window would only slow
                // them (renewal-batches.test.ts covers the batching).
                NODE_RENEWAL_BATCH_WINDOW: "0s",
                JOB_BACKOFF_BASE: "200ms",
                JOB_BACKOFF_MAX: "1s",
                // The components' client-side rate limits off: the suite's own pace. The
                // limits themselves are tested where a test turns them on (useRateLimit).
                CONTROLLER_KUBE_API_QPS: "0",
                SCHEDULER_KUBE_API_QPS: "0",
                KUBELET_KUBE_API_QPS: "0",
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["./test/integration/apply-migrations.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      }),
      // Real `wrangler dev`, kubectl, client-node and a browser.
      defineProject({
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      }),
    ],
  },
});
