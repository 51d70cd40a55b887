/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import { fileURLToPath, URL } from "node:url";

// The desktop window loads the built files from ui/dist (embedded by Tauri); `npm run dev`
// serves them for `cargo run -p fengqiao-desktop --no-default-features`.
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: "safari15",
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      output: {
        manualChunks: { "element-plus": ["element-plus"], echarts: ["echarts/core", "echarts/charts", "echarts/components", "echarts/renderers"] },
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    css: false,
  },
});
