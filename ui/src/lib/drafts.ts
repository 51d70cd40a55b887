// Unsaved form input kept in localStorage, so closing the window by mistake loses nothing:
// every change is written (debounced) under the form's key, restored when the form opens
// again, and cleared when it is saved or cancelled.
import { ref, watch, type Ref } from "vue";

const PREFIX = "fengqiao:draft:";

export function readDraft<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw).value as T) : null;
  } catch {
    return null;
  }
}

export function clearDraft(key: string) {
  localStorage.removeItem(PREFIX + key);
}

/** Keeps `state` under `key`. If a draft exists it replaces `state` now and `restored` is set. */
export function useDraft<T>(key: string, state: Ref<T>, debounceMs = 300) {
  const restored = ref(false);
  const saved = readDraft<T>(key);
  if (saved !== null && JSON.stringify(saved) !== JSON.stringify(state.value)) {
    state.value = saved;
    restored.value = true;
  }
  const initial = JSON.stringify(state.value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = true;
  const stop = watch(
    state,
    (v) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!active) return;
        const json = JSON.stringify(v);
        if (json === initial && !restored.value) localStorage.removeItem(PREFIX + key);
        else localStorage.setItem(PREFIX + key, JSON.stringify({ at: new Date().toISOString(), value: v }));
      }, debounceMs);
    },
    { deep: true },
  );
  return {
    restored,
    /** Forgets the draft (after a save, or when the clerk cancels). */
    clear() {
      clearTimeout(timer);
      clearDraft(key);
      restored.value = false;
    },
    stop() {
      active = false;
      clearTimeout(timer);
      stop();
    },
  };
}
