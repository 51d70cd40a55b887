import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import { fileURLToPath, URL } from "node:url";

// The county dashboard: a second entry (county.html) built into ui/dist-county, which
// fengqiao-county embeds at compile time (crates/county/build.rs) and serves at `/`.
// `npm run dev:county` proxies the API to a fengqiao-county on 127.0.0.1:8080.
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  clearScreen: false,
  server: { port: 5174, strictPort: true, proxy: { "/api": "http://127.0.0.1:8080" } },
  build: {
    outDir: "dist-county",
    emptyOutDir: true,
    target: "es2020",
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      input: fileURLToPath(new URL("./county.html", import.meta.url)),
      output: {
        manualChunks: { "element-plus": ["element-plus"], echarts: ["echarts/core", "echarts/charts", "echarts/components", "echarts/renderers"] },
      },
    },
  },
});
