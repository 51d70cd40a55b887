// Tells the shell, once per window, that the first screen is interactive (its data shown and
// painted): the cold-start benchmark (e2e/bench.mjs) measures launch → this moment.
import { invoke } from "@tauri-apps/api/core";

let told = false;

export function markReady(screen: string) {
  if (told) return;
  told = true;
  // Two frames: the first lays out what was just rendered, the second follows its paint.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      try {
        invoke("app_ready", { screen }).catch(() => {});
      } catch {
        // Outside the desktop shell (unit tests, the Vite dev page): nothing to tell.
      }
    }),
  );
}
