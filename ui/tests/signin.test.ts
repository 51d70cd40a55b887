// 登录, the recovery key, the lock and the banner of an office without accounts: the screens
// against the desktop shell's commands (see shell.ts).
import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { defineComponent, h, ref } from "vue";
import { createMemoryHistory, createRouter } from "vue-router";
import { ElDialog } from "element-plus";
import type { AppStatus } from "@/generated/AppStatus";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: (cmd: string, args?: unknown) => invoke(cmd, args) }));

import App from "@/App.vue";
import SignIn from "@/views/SignIn.vue";
import RecoveryKeyDialog from "@/components/RecoveryKeyDialog.vue";
import { api } from "@/api";
import { session } from "@/lib/session";
import { stopWatchingSync } from "@/lib/sync";
import { all, answerWith, besideField, callsOf, clerk, click, commands, enter, find, global, input, invalid, plugins, refuse, settings } from "./shell";
import { signedOut, status, type, wait } from "./shell";

const calls = (cmd: string) => callsOf(invoke, cmd);

beforeEach(() => answerWith(invoke));
afterEach(() => {
  document.body.innerHTML = "";
  stopWatchingSync();
});

describe("登录", () => {
  it("says the refusal beside 密码 and signs in with the corrected one (Enter submits)", async () => {
    session.status = signedOut();
    commands.sign_in = ({ input }) => (input.password === "dongshan2026" ? status() : invalid("password", "密码", "登录名或密码不正确"));
    const w = mount(SignIn, { global, attachTo: document.body });
    expect(find("sign-in-office")?.textContent).toBe("枫桥司法所工作台");
    // The first field has the focus.
    expect(document.activeElement).toBe(input("sign-in-name"));

    type("sign-in-name", "zhangming");
    type("sign-in-password", "wrong-password");
    enter("sign-in-password");
    await wait(() => expect(besideField("sign-in-password")).toBe("登录名或密码不正确"));
    expect(besideField("sign-in-name")).toBeUndefined();
    expect(w.emitted("done")).toBeUndefined();

    type("sign-in-password", "dongshan2026");
    click("sign-in-submit");
    await wait(() => expect(w.emitted("done")).toHaveLength(1));
    expect(calls("sign_in").at(-1)).toEqual({ input: { name: "zhangming", password: "dongshan2026" } });
    w.unmount();
  });

  it("忘记密码: the new password typed twice is compared here; the recovery key's refusal is beside it", async () => {
    session.status = signedOut();
    commands.reset_with_recovery = ({ input }) =>
      input.recovery_key === "ABCD-EFGH-JKLM-NPQR" ? status() : invalid("recovery_key", "恢复密钥", "恢复密钥不正确");
    const w = mount(SignIn, { global, attachTo: document.body });
    click("forgot-password");
    await flushPromises();
    expect(input("recovery-key").placeholder).toContain("打印的恢复密钥");
    await wait(() => expect(document.activeElement).toBe(input("recovery-key")));

    type("recovery-key", "ABCD-EFGH-0000-0000");
    type("recovery-name", "zhangming");
    type("recovery-password", "xinmima2026");
    type("recovery-password-confirm", "xinmima2025");
    enter("recovery-password-confirm");
    await wait(() => expect(besideField("recovery-password-confirm")).toBe("两次输入的密码不一致"));
    expect(calls("reset_with_recovery")).toHaveLength(0);

    type("recovery-password-confirm", "xinmima2026");
    click("recovery-submit");
    await wait(() => expect(besideField("recovery-key")).toBe("恢复密钥不正确"));

    type("recovery-key", "ABCD-EFGH-JKLM-NPQR");
    click("recovery-submit");
    await wait(() => expect(w.emitted("done")).toHaveLength(1));
    expect(calls("reset_with_recovery").at(-1)).toEqual({
      input: { recovery_key: "ABCD-EFGH-JKLM-NPQR", name: "zhangming", new_password: "xinmima2026" },
    });
    w.unmount();
  });
});

describe("恢复密钥", () => {
  it("shows the key until the clerk confirms; Esc does not close it; 打印 prints the key sheet alone", async () => {
    session.status = status({ recovery_key: "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ" });
    commands.acknowledge_recovery_key = () => status();
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    const w = mount(RecoveryKeyDialog, { global, attachTo: document.body });
    await wait(() => expect(find("recovery-key-text")?.textContent).toBe("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"));
    expect(find("recovery-key-dialog")?.textContent).toContain("唯一办法");
    const sheet = find("recovery-key-sheet")!;
    expect(sheet.textContent).toContain("东山镇司法所");
    expect(sheet.textContent).toContain("2026-11-20");
    expect(sheet.textContent).toContain("请妥善锁存，不要与电脑放在一起");

    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", code: "Escape", bubbles: true }));
    await flushPromises();
    expect(find("recovery-key-text")).not.toBeNull();
    expect(calls("acknowledge_recovery_key")).toHaveLength(0);

    click("recovery-key-print");
    expect(print).toHaveBeenCalledTimes(1);
    expect(document.body.classList.contains("printing-recovery-key")).toBe(true);
    window.dispatchEvent(new Event("afterprint"));
    expect(document.body.classList.contains("printing-recovery-key")).toBe(false);

    click("recovery-key-ack");
    await wait(() => expect(session.status?.recovery_key).toBeNull());
    expect(calls("acknowledge_recovery_key")).toHaveLength(1);
    expect(find("recovery-key-sheet")).toBeNull();
    print.mockRestore();
    w.unmount();
  });
});

/** A screen with a form the clerk has not saved, in an open dialog (which traps the focus). */
const Draft = defineComponent({
  setup() {
    const text = ref("");
    const input = () => h("input", { value: text.value, onInput: (e: Event) => (text.value = (e.target as HTMLInputElement).value), "data-test": "draft" });
    return () => h(ElDialog, { modelValue: true, title: "调解记录" }, { default: input });
  },
});
async function mountApp(first: AppStatus, header = "张明（所长）") {
  let current = first;
  commands.app_status = () => current;
  commands.settings = () => settings;
  commands.sync_status = () => ({ phase: "not_connected", label: "未连接县局", detail: "", pending: 0, set_aside: 0, offline_since: null, stopped: false });
  commands.lock_window = () => (current = { ...current, locked: true });
  commands.unlock = ({ input }) => {
    if (input.password !== "dongshan2026") invalid("password", "密码", "密码不正确");
    return (current = { ...current, locked: false });
  };
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/", component: Draft }, { path: "/:rest(.*)*", component: Draft }] });
  router.push("/");
  await router.isReady();
  // Transitions run (not stubbed), as the lock focuses its password box once it has opened.
  const w = mount(App, { global: { plugins: [...plugins, router], stubs: { transition: false } }, attachTo: document.body });
  if (header) await wait(() => expect(find("current-account")?.textContent).toBe(header));
  else await wait(() => expect(find("secure-banner") ?? find("sign-in")).not.toBeNull());
  return { w, set: (s: AppStatus) => (current = s) };
}

describe("锁定", () => {
  it("锁定 covers the window; the password unlocks it and the unsaved input underneath is still there", async () => {
    const { w } = await mountApp(status());
    expect(find("readonly-tag")).toBeNull();
    type("draft", "双方同意分三期付清");

    click("lock-button");
    await wait(() => expect(find("lock-overlay")).not.toBeNull());
    expect(find("lock-account")?.textContent).toContain("张明");
    expect(document.querySelector(".shell")?.hasAttribute("inert")).toBe(true);
    await wait(() => expect(document.activeElement).toBe(input("lock-password")));
    // The dialog underneath does not take the focus back.
    await new Promise((r) => setTimeout(r, 50));
    expect(document.activeElement).toBe(input("lock-password"));

    type("lock-password", "wrong-password");
    enter("lock-password");
    await wait(() => expect(besideField("lock-password")).toBe("密码不正确"));
    expect(find("lock-overlay")).not.toBeNull();

    type("lock-password", "dongshan2026");
    enter("lock-password");
    await wait(() => expect(find("lock-overlay")).toBeNull());
    expect(calls("unlock").at(-1)).toEqual({ input: { name: "zhangming", password: "dongshan2026" } });
    expect(input("draft").value).toBe("双方同意分三期付清");
    expect(document.querySelector(".shell")?.hasAttribute("inert")).toBe(false);
    w.unmount();
  });

  it("a command refused as locked (another window locked it) brings the lock screen up; 切换账号 asks for the 登录名 too", async () => {
    const { w, set } = await mountApp(status());
    set(status({ locked: true }));
    commands.dashboard = () => refuse("locked", "窗口已锁定，请输入密码解锁");
    await expect(api.dashboard()).rejects.toMatchObject({ code: "locked" });
    await wait(() => expect(find("lock-overlay")).not.toBeNull());

    expect(find("lock-name")).toBeNull();
    click("lock-switch");
    await wait(() => expect(find("lock-name")).not.toBeNull());
    commands.unlock = () => status({ account: clerk, current_staff: "李娜", can: { ...all, administer: false } });
    type("lock-name", "lina");
    type("lock-password", "lina-mima-1");
    enter("lock-password");
    await wait(() => expect(find("lock-overlay")).toBeNull());
    expect(calls("unlock").at(-1)).toEqual({ input: { name: "lina", password: "lina-mima-1" } });
    await wait(() => expect(find("current-account")?.textContent).toBe("李娜（工作人员）"));
    w.unmount();
  });

  it("an encrypted office starts at 登录; signed in, the office's settings are read and its screens shown", async () => {
    const { w, set } = await mountApp(signedOut(), "");
    expect(find("sign-in")).not.toBeNull();
    expect(calls("settings")).toHaveLength(0);
    commands.sign_in = () => set(status());
    type("sign-in-name", "zhangming");
    type("sign-in-password", "dongshan2026");
    enter("sign-in-password");
    await wait(() => expect(find("current-account")?.textContent).toBe("张明（所长）"));
    expect(calls("settings")).toHaveLength(1);
    expect(find("draft")).not.toBeNull();
    expect(find("sign-in")).toBeNull();
    w.unmount();
  });

  it("a window that starts locked shows the lock at once, and reads the office's settings once unlocked", async () => {
    const { w } = await mountApp(status({ locked: true }));
    await wait(() => expect(find("lock-overlay")).not.toBeNull());
    expect(calls("settings")).toHaveLength(0);
    expect(find("draft")).toBeNull();
    type("lock-password", "dongshan2026");
    enter("lock-password");
    await wait(() => expect(find("draft")).not.toBeNull());
    expect(calls("settings")).toHaveLength(1);
    expect(find("lock-overlay")).toBeNull();
    w.unmount();
  });

  it("locks by itself after the idle minutes without input (input keeps it open)", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    try {
      const { w } = await mountApp(status({ idle_lock_minutes: 1 }));
      vi.advanceTimersByTime(30_000);
      window.dispatchEvent(new MouseEvent("mousemove"));
      vi.advanceTimersByTime(50_000);
      await flushPromises();
      expect(calls("lock_window")).toHaveLength(0);
      vi.advanceTimersByTime(20_000);
      await wait(() => expect(find("lock-overlay")).not.toBeNull());
      expect(calls("lock_window")).toHaveLength(1);
      w.unmount();
    } finally {
      vi.useRealTimers();
    }
  });

  it("a read-only account is marked 只读账号 in the header; an office without accounts gets the banner, not the lock", async () => {
    const reader = { ...clerk, name: "wangfang", display_name: "王芳", role: "readonly", role_label: "只读" };
    const { w } = await mountApp(status({ account: reader, can: { ...all, edit: false, administer: false } }), "王芳（只读）");
    expect(find("readonly-tag")?.textContent).toBe("只读账号");
    expect(find("secure-banner")).toBeNull();
    w.unmount();

    const old = await mountApp(status({ secured: false, account: null }), "");
    expect(find("secure-banner")?.textContent).toContain("本所数据尚未加密，也没有登录账号。请建立所长账号以加密数据。");
    expect(find("lock-button")).toBeNull();
    expect(find("current-account")).toBeNull();
    old.w.unmount();
  });
});

describe("建立所长账号 (an office from before accounts)", () => {
  it("compares the passwords here, sends the account, and the recovery key comes up", async () => {
    const { w: app } = await mountApp(status({ secured: false, account: null }), "");
    commands.secure_office = ({ input }) =>
      input.name.includes(" ") ? invalid("name", "登录名", "登录名不能含空格，最长32个字符") : status({ recovery_key: "ABCD-EFGH-JKLM-NPQR" });
    click("secure-open");
    await wait(() => expect(find("secure-name")).not.toBeNull());
    expect(input("secure-display-name").value).toBe("张明");
    type("secure-name", "zhang ming");
    type("secure-password", "dongshan2026");
    type("secure-password-confirm", "dongshan2027");
    enter("secure-password-confirm");
    await wait(() => expect(besideField("secure-password-confirm")).toBe("两次输入的密码不一致"));
    expect(calls("secure_office")).toHaveLength(0);

    type("secure-password-confirm", "dongshan2026");
    click("secure-submit");
    await wait(() => expect(besideField("secure-name")).toBe("登录名不能含空格，最长32个字符"));
    type("secure-name", "zhangming");
    click("secure-submit");
    await wait(() => expect(find("recovery-key-text")?.textContent).toBe("ABCD-EFGH-JKLM-NPQR"));
    expect(calls("secure_office").at(-1)).toEqual({ input: { name: "zhangming", display_name: "张明", role: "", password: "dongshan2026" } });
    await wait(() => expect(find("secure-banner")).toBeNull());
    app.unmount();
  });
});
