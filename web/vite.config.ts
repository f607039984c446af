/// <reference types="vitest/config" />
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The app is configured only by the two files that `go run ./cmd/apiless config outputs.json`
// writes into web/: amplify_outputs.json and .env. Until they exist (a clean clone), or with
// `--mode example`, it uses the committed sample in web/example/, and the page says so.
const here = fileURLToPath(new URL('.', import.meta.url));
const generated = ['amplify_outputs.json', '.env'].map((f) => existsSync(here + f));

export default defineConfig(({ mode }) => {
  let source: 'generated' | 'example' = 'generated';
  if (mode === 'example' || mode === 'test') {
    source = 'example';
  } else if (!generated[0] && !generated[1]) {
    source = 'example';
    console.warn(
      '\n[apiless] web/amplify_outputs.json and web/.env not found: using the sample in web/example/ (fake IDs, no backend).\n' +
        '[apiless] After deploying, run: go -C .. run ./cmd/apiless config outputs.json\n',
    );
  } else if (!generated[0] || !generated[1]) {
    throw new Error(
      `[apiless] only one of web/amplify_outputs.json and web/.env exists: run "go -C .. run ./cmd/apiless config outputs.json" again to write both`,
    );
  }
  const dir = source === 'example' ? here + 'example/' : here;
  return {
    envDir: dir,
    resolve: { alias: { 'apiless:amplify-outputs': dir + 'amplify_outputs.json' } },
    define: { __APILESS_CONFIG_SOURCE__: JSON.stringify(source) },
    // The demo stack's bucket CORS allows http://localhost:5173 by default: never move to another port.
    server: { port: 5173, strictPort: true },
    build: { target: 'es2022', chunkSizeWarningLimit: 1200 },
    test: { include: ['test/**/*.test.ts'], environment: 'node' },
  };
});
