// Signing in and the window's lock (an office whose data is encrypted): the status each account
// command returns replaces the window's; a command refused as locked or signed out reloads it,
// so the lock screen or the sign-in appears; idle time locks the window.
import { onBeforeUnmount, onMounted } from "vue";
import { api, isAppError, whenSignedOut, type AppError } from "@/api";
import type { AppStatus } from "@/generated/AppStatus";
import type { Abilities } from "@/generated/Abilities";
import { loadStatus, session } from "./session";

/** Said beside 确认密码 when it differs (checked here: the server only ever sees one password). */
export const MISMATCH = "两次输入的密码不一致";

/** The window's status as an account command returned it. */
export function setStatus(s: AppStatus): AppStatus {
  session.status = s;
  return s;
}

/** Whether the signed-in account may do `what` (an office without accounts: everything), for
 * the screens to offer only that; the server refuses the rest anyway. */
export function can(what: keyof Abilities): boolean {
  return !!session.status?.can[what];
}

/** Whether the window is signed in to an encrypted office (and so may lock). */
export function signedIn(): boolean {
  return !!(session.status?.secured && session.status.account);
}

let reloading: Promise<unknown> | null = null;

/** Reloads the status once however many commands were refused together (the sync indicator
 * and a page's loads may all be refused at the same moment). */
function reloadStatus() {
  reloading ??= loadStatus()
    .catch(() => {})
    .finally(() => (reloading = null));
}

/** From now on a command refused as locked or signed out reloads the window's status. */
export function watchSignIn() {
  whenSignedOut((e: AppError) => {
    // Already showing the lock: nothing new to learn.
    if (e.code === "locked" && session.status?.locked) return;
    reloadStatus();
  });
}

export async function lockNow() {
  try {
    setStatus(await api.lockWindow());
  } catch (e) {
    // Refused as signed out: the status reload shows the sign-in. Anything else: reload too.
    if (!isAppError(e)) throw e;
    reloadStatus();
  }
}

const INPUT_EVENTS = ["mousemove", "keydown", "click", "wheel"] as const;

/** Locks the window after `status.idle_lock_minutes` without mouse or keyboard input (while
 * signed in to an encrypted office). Checks every `checkMs`. */
export function useIdleLock(checkMs = 10_000) {
  let last = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const touched = () => (last = Date.now());

  function check() {
    const s = session.status;
    if (!signedIn() || !s || s.locked) {
      last = Date.now();
      return;
    }
    if (Date.now() - last >= s.idle_lock_minutes * 60_000) {
      last = Date.now();
      lockNow();
    }
  }

  onMounted(() => {
    for (const ev of INPUT_EVENTS) window.addEventListener(ev, touched, { capture: true, passive: true });
    timer = setInterval(check, checkMs);
  });
  onBeforeUnmount(() => {
    for (const ev of INPUT_EVENTS) window.removeEventListener(ev, touched, { capture: true });
    clearInterval(timer);
  });
}

