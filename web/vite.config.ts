import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";

/**
 * Emits `sw.js`: the service worker (src/sw/sw.js) preceded by the list of
 * every file of this build and a version derived from their contents, so a
 * new build gets a new cache and the old one is removed (as Squoosh does).
 */
function serviceWorker(): Plugin {
  return {
    name: "linli-service-worker",
    apply: "build",
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).sort();
      const hash = createHash("sha256");
      for (const name of files) {
        const item = bundle[name];
        hash.update(name);
        hash.update(item.type === "chunk" ? item.code : item.source);
      }
      const version = hash.digest("hex").slice(0, 16);
      // The office's charts are not precached: phones never open them, and
      // the office pages need the relay anyway.
      const assets = [
        "/",
        ...files.filter((f) => f !== "index.html" && !f.startsWith("assets/echarts-")).map((f) => `/${f}`),
      ];
      const body = readFileSync(new URL("./src/sw/sw.js", import.meta.url), "utf8");
      this.emitFile({
        type: "asset",
        fileName: "sw.js",
        source: `const VERSION = ${JSON.stringify(version)};\nconst ASSETS = ${JSON.stringify(assets)};\n${body}`,
      });
    },
  };
}

export default defineConfig({
  plugins: [serviceWorker()],
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Stable names across machines so the committed copy can be checked.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: "es2022",
    // The one big chunk is ECharts, loaded only by the office's figures page.
    chunkSizeWarningLimit: 600,
  },
});
