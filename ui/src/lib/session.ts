// What every screen needs: the app's status (first run or not, the office, who is working)
// and the settings (committees and mediators for the drop-downs).
import { reactive } from "vue";
import { api } from "@/api";
import type { AppStatus } from "@/generated/AppStatus";
import type { SettingsView } from "@/generated/SettingsView";
import type { Mediator } from "@/generated/Mediator";

export const session = reactive({
  status: null as AppStatus | null,
  settings: null as SettingsView | null,
  /** Bumped when the office's data was replaced (a restore): the open screen is drawn anew. */
  generation: 0,
});

export async function loadStatus() {
  session.status = await api.appStatus();
  return session.status;
}

export async function loadSettings() {
  session.settings = await api.settings();
  return session.settings;
}

/** After the office's data was replaced (a backup restored): the status and the settings read
 * again as the window starts (an encrypted office's settings only while signed in and not
 * locked), and the open screen drawn anew from them. */
export async function reloadOffice() {
  const s = await loadStatus();
  if (s.initialized && s.office && (!s.secured || (s.account && !s.locked))) await loadSettings();
  session.generation++;
}

export function setSettings(s: SettingsView) {
  session.settings = s;
}

export function allMediators(): Mediator[] {
  return session.settings?.committees.flatMap((c) => c.mediators) ?? [];
}

export function mediatorName(id: string | null | undefined): string {
  return allMediators().find((m) => m.id === id)?.name ?? "";
}

export function committeeOptions() {
  return (session.settings?.committees ?? []).map((c) => ({ value: c.committee.id, label: c.committee.name ?? "" }));
}

export function mediatorOptions(committeeId?: string | null) {
  return (session.settings?.committees ?? [])
    .filter((c) => !committeeId || c.committee.id === committeeId)
    .flatMap((c) => c.mediators)
    .map((m) => ({ value: m.id, label: m.name ?? "" }));
}

export function today(): string {
  return session.status?.today ?? new Date().toISOString().slice(0, 10);
}
