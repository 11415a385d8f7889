import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

// The gateway's merged OpenAPI document (docs/openapi.json, `make openapi`), served as /openapi.json
// beside the reference page that shows it.
const OPENAPI = resolve(import.meta.dirname, "..", "docs", "openapi.json");

function openapiDocument(): Plugin {
  return {
    name: "scoremate-openapi-document",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "openapi.json", source: readFileSync(OPENAPI, "utf8") });
    },
  };
}

// Three pages: the app at /, the admin console at /admin/ and the API reference at /docs (the
// gateway serves exactly these, /openapi.json and /assets/; every other path belongs to the API).
export default defineConfig({
  plugins: [openapiDocument()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Everything as files under /assets/: no data: URLs, so the pages' Content-Security-Policy
    // allows images and scripts from the gateway alone.
    assetsInlineLimit: 0,
    // The API reference page carries Swagger UI (~1.5 MB, loaded by /docs alone).
    chunkSizeWarningLimit: 2000,
    sourcemap: true,
    target: "es2022",
    rolldownOptions: {
      input: {
        app: resolve(import.meta.dirname, "index.html"),
        admin: resolve(import.meta.dirname, "admin/index.html"),
        docs: resolve(import.meta.dirname, "docs/index.html"),
      },
      // What both pages share (Preact, the API client, the base styles) in one file of its own.
      output: { chunkFileNames: "assets/shared-[hash].js" },
    },
  },
});
