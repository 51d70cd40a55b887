// What the account tests share: the desktop shell's commands answered by each test (the
// shell's `invoke` is mocked in the test file; api.ts is the real one, so the commands' names
// and arguments are checked too), the statuses, and finding things in the page.
import { vi, type Mock } from "vitest";
import ElementPlus from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";
import type { AppStatus } from "@/generated/AppStatus";
import type { AccountView } from "@/generated/AccountView";
import type { AppError } from "@/generated/AppError";
import { blankOrganization } from "@/generated/blank";
import { session } from "@/lib/session";

export const plugins = [[ElementPlus, { locale: zhCn }]] as any;
export const global = { plugins };

/** The shell's commands: each test puts in the ones it needs (a thrown AppError is a refusal). */
export const commands: Record<string, (args: any) => unknown> = {};

/** Before each test: no commands, nothing stored, no status. */
export function answerWith(invoke: Mock) {
  for (const k of Object.keys(commands)) delete commands[k];
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: unknown) => {
    const f = commands[cmd];
    // What the window tells the shell and nobody here answers (app_ready …).
    if (!f) return null;
    return f(args);
  });
  localStorage.clear();
  session.status = null;
  session.settings = null;
}

/** The arguments of every call of `cmd`. */
export function callsOf(invoke: Mock, cmd: string): unknown[] {
  return invoke.mock.calls.filter(([c]) => c === cmd).map(([, args]) => args);
}

export function refuse(code: string, message: string, issues: AppError["issues"] = []): never {
  throw { code, message, issues, reasons: [] } satisfies AppError;
}
export const invalid = (field: string, label: string, message: string) => refuse("invalid", "有1处需要更正", [{ field, label, message }]);

export const director: AccountView = {
  id: "0190a1b2-0000-7000-8000-0000000000a1",
  name: "zhangming",
  display_name: "张明",
  role: "director",
  role_label: "所长",
  disabled: false,
  created_at: "2026-11-20T01:00:00Z",
};
export const clerk: AccountView = { ...director, id: "0190a1b2-0000-7000-8000-0000000000a2", name: "lina", display_name: "李娜", role: "staff", role_label: "工作人员" };
export const all = { edit: true, administer: true, view_audit: true, see_personal: true, export: true };
export const office = { ...blankOrganization(), name: "东山镇司法所", division_code: "350502101" };

export function status(over: Partial<AppStatus> = {}): AppStatus {
  return {
    initialized: true,
    data_dir: "/home/clerk/.local/share/fengqiao",
    version: "0.1.0",
    today: "2026-11-20",
    office,
    current_staff: "张明",
    device_name: "DONGSHAN-PC1",
    open_error: null,
    secured: true,
    account: director,
    can: all,
    locked: false,
    idle_lock_minutes: 10,
    recovery_key: null,
    ...over,
  };
}
/** An encrypted office before anyone signed in (its store is not open: no office yet). */
export const signedOut = () => status({ office: null, account: null, current_staff: null, can: { ...all, edit: false, administer: false } });
export const settings = {
  office,
  committees: [],
  staff: [{ name: "张明", title: "所长" }],
  current_staff: "张明",
  county_server: null,
  enrolled: false,
  pending_changes: 0,
  last_sync_at: null,
  last_sync_error: null,
  warnings: [],
};

export function find(test: string): HTMLElement | null {
  return document.body.querySelector(`[data-test="${test}"]`);
}
export function input(test: string): HTMLInputElement {
  const el = find(test);
  const box = el?.tagName === "INPUT" ? el : el?.querySelector("input");
  if (!box) throw new Error(`no input ${test}`);
  return box as HTMLInputElement;
}
export function type(test: string, value: string) {
  const box = input(test);
  box.value = value;
  box.dispatchEvent(new Event("input"));
}
export function click(test: string) {
  const el = find(test);
  if (!el) throw new Error(`no ${test}`);
  el.click();
}
export function enter(test: string) {
  input(test).dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
}
/** The message shown beside the field holding `test` (Element Plus shows it after a transition). */
export function besideField(test: string): string | undefined {
  return find(test)?.closest(".el-form-item")?.querySelector(".el-form-item__error")?.textContent?.trim();
}
export const wait = (f: () => void) => vi.waitFor(f, { timeout: 3000, interval: 20 });
