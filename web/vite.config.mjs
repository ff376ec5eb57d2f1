// Builds the console into static files liaisond serves under /console/ (docs/console.md).
// Hashed names under assets/ are cached for a year; index.html is revalidated on every load.
// Nothing is inlined: the Content-Security-Policy allows scripts and styles from files only.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/console/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2020",
    sourcemap: false,
    reportCompressedSize: false,
  },
});
