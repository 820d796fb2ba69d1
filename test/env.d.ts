import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** kubectl's protobuf request bodies from test/fixtures/kubectl-protobuf, base64 by file name. */
      TEST_PROTOBUF_FIXTURES: Record<string, string>;
    }
  }
}
