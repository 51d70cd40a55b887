// The sync indicator's state, shared by the header and the 同步 page. The agent runs in the
// app; asking for its state is cheap (no database), so the window asks every 1.5 s and
// right after anything that may change it (a save wakes the agent; 立即同步; enrollment).
import { reactive } from "vue";
import { api } from "@/api";
import type { SyncIndicator } from "@/generated/SyncIndicator";

export const sync = reactive({
  indicator: null as SyncIndicator | null,
  /** Bumped whenever the indicator changes, for pages that reload with it. */
  changes: 0,
});

let timer: ReturnType<typeof setInterval> | null = null;

export async function refreshSync() {
  try {
    const next = await api.syncStatus();
    if (JSON.stringify(next) !== JSON.stringify(sync.indicator)) {
      sync.indicator = next;
      sync.changes++;
    }
  } catch {
    // Before first run there is no store yet; the header is not shown then anyway.
  }
}

export function watchSync(everyMs = 1500) {
  if (timer) return;
  refreshSync();
  timer = setInterval(refreshSync, everyMs);
}

export function stopWatchingSync() {
  if (timer) clearInterval(timer);
  timer = null;
}

/** The Element Plus tag type for a phase. */
export function phaseType(i: SyncIndicator | null): "success" | "primary" | "warning" | "danger" | "info" {
  switch (i?.phase) {
    case "synced":
      return i.set_aside > 0 ? "warning" : "success";
    case "pending":
    case "syncing":
      return "primary";
    case "offline":
      return "warning";
    case "error":
      return "danger";
    default:
      return "info";
  }
}
