// 设置 › 账号与安全: 修改密码 for everyone; the accounts and the idle lock for the 所长 (see
// shell.ts for the mocked shell).
import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: (cmd: string, args?: unknown) => invoke(cmd, args) }));

import Settings from "@/views/Settings.vue";
import AccountsAdmin from "@/components/AccountsAdmin.vue";
import { session } from "@/lib/session";
import { all, answerWith, besideField, callsOf, clerk, click, commands, director, enter, find, global, input, invalid, plugins, refuse, settings, status, type, wait } from "./shell";

const calls = (cmd: string) => callsOf(invoke, cmd);

beforeEach(() => answerWith(invoke));
afterEach(() => {
  document.body.innerHTML = "";
});

describe("账号与安全", () => {
  it("lists the accounts and adds one (the role chosen, the initial password typed twice)", async () => {
    session.status = status();
    const accounts = [director, clerk];
    commands.list_accounts = () => [...accounts];
    commands.add_account = ({ input }) => {
      if (accounts.some((a) => a.name === input.name)) invalid("name", "登录名", "登录名已被使用");
      const made = { ...clerk, id: "0190a1b2-0000-7000-8000-0000000000a3", name: input.name, display_name: input.display_name, role: input.role, role_label: "只读" };
      accounts.push(made);
      return made;
    };
    // Transitions run (not stubbed): the dialog focuses its first box once it has opened.
    const w = mount(AccountsAdmin, { global: { ...global, stubs: { transition: false } }, attachTo: document.body });
    await wait(() => expect(w.findAll(".el-table__body tr")).toHaveLength(2));
    const rows = () => w.findAll(".el-table__body tr").map((r) => r.findAll("td").slice(0, 4).map((c) => c.text()));
    expect(rows()).toEqual([
      ["zhangming", "张明（本人）", "所长", "启用"],
      ["lina", "李娜", "工作人员", "启用"],
    ]);
    // One's own account cannot be disabled from here.
    expect(w.findAll('[data-test="account-toggle"]')).toHaveLength(1);

    click("account-add");
    await wait(() => expect(find("account-name")).not.toBeNull());
    await wait(() => expect(document.activeElement).toBe(input("account-name")));
    type("account-name", "lina");
    type("account-display-name", "王芳");
    w.findComponent({ name: "ElSelect" }).vm.$emit("update:modelValue", "readonly");
    type("account-password", "wangfang-2026");
    type("account-password-confirm", "wangfang-2026");
    enter("account-password-confirm");
    await wait(() => expect(besideField("account-name")).toBe("登录名已被使用"));

    type("account-name", "wangfang");
    click("account-save");
    await wait(() => expect(rows()).toHaveLength(3));
    expect(rows()[2]).toEqual(["wangfang", "王芳", "只读", "启用"]);
    expect(calls("add_account").at(-1)).toEqual({ input: { name: "wangfang", display_name: "王芳", role: "readonly", password: "wangfang-2026" } });
    expect(calls("list_accounts")).toHaveLength(2);
    w.unmount();
  });

  it("自动锁定时间 is saved, its refusal beside it", async () => {
    session.status = status();
    commands.list_accounts = () => [director];
    commands.set_idle_lock_minutes = ({ minutes }) => (minutes === 15 ? status({ idle_lock_minutes: 15 }) : invalid("minutes", "自动锁定时间", "自动锁定时间应在1到240分钟之间"));
    const w = mount(AccountsAdmin, { global, attachTo: document.body });
    await flushPromises();
    w.findComponent({ name: "ElInputNumber" }).vm.$emit("update:modelValue", 15);
    await flushPromises();
    click("idle-minutes-save");
    await wait(() => expect(session.status?.idle_lock_minutes).toBe(15));
    expect(calls("set_idle_lock_minutes").at(-1)).toEqual({ minutes: 15 });
    w.unmount();
  });

  it("everyone changes their own password; only the 所长 sees the accounts", async () => {
    session.settings = settings as any;
    commands.list_accounts = () => [director, clerk];
    commands.reminder_settings = () => refuse("internal", "—");
    commands.change_own_password = ({ input }) => (input.old_password === "lina-mima-1" ? null : invalid("old_password", "原密码", "原密码不正确"));
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/", component: { render: () => null } }] });

    session.status = status({ account: clerk, can: { ...all, administer: false } });
    const w = mount(Settings, { global: { plugins: [...plugins, router] }, attachTo: document.body });
    await flushPromises();
    expect(find("change-password")).not.toBeNull();
    expect(find("accounts-admin")).toBeNull();
    type("old-password", "wrong");
    type("new-password", "lina-mima-2");
    type("new-password-confirm", "lina-mima-2");
    enter("new-password-confirm");
    await wait(() => expect(besideField("old-password")).toBe("原密码不正确"));
    type("old-password", "lina-mima-1");
    enter("new-password-confirm");
    await wait(() => expect(calls("change_own_password").at(-1)).toEqual({ input: { old_password: "lina-mima-1", new_password: "lina-mima-2" } }));
    await wait(() => expect(input("old-password").value).toBe(""));
    w.unmount();

    session.status = status();
    const d = mount(Settings, { global: { plugins: [...plugins, router] }, attachTo: document.body });
    await flushPromises();
    expect(find("accounts-admin")).not.toBeNull();
    d.unmount();
  });
});
