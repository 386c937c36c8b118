import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

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
            { name: "vendor", test: /node_modules[\\/]/, priority: 10 },
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
