/// <reference types="vite/client" />

declare module 'apiless:amplify-outputs' {
  const outputs: Record<string, unknown>;
  export default outputs;
}

/** "generated" when built from web/amplify_outputs.json and web/.env, "example" for web/example/. */
declare const __APILESS_CONFIG_SOURCE__: 'generated' | 'example';
