import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** @mantine/charts, recharts and recharts' own dependencies, none of which another page imports. */
const CHART_LIBRARIES =
  /node_modules[\\/](@mantine[\\/]charts|recharts|@reduxjs[\\/]toolkit|redux|redux-thunk|react-redux|reselect|immer|decimal\.js-light|es-toolkit|eventemitter3|tiny-invariant|use-sync-external-store|victory-vendor|d3-[a-z-]+|internmap|@standard-schema[\\/][a-z]+)[\\/]/;

// The API serves this build at /ui/ (index.html for any other /ui/* path), and the files under
// dist/assets/ with a long cache: their names carry a hash of their content.
export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries change far less often than the app: in chunks of their own, a release of the
        // app leaves them in the browser's cache.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 20 },
            // Only the Overview page (loaded on demand) draws charts: left out of the vendor chunk,
            // the library and what it alone uses go into that page's chunk, not into what every page
            // loads (apps/web/README.md has the sizes).
            {
              name: "vendor",
              test: (id: string) => /node_modules[\\/]/.test(id) && !CHART_LIBRARIES.test(id),
              priority: 10,
            },
          ],
        },
      },
    },
  },
  server: {
    // `vite` in apps/web during development, with a Hookyard on :3000 for the API.
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
