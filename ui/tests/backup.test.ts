// 设置 › 备份与恢复 (所长): the backup with its 备份密码 typed twice, and the restore — the backup's
// summary read first, another office's refused in red, the confirmation, the window reloaded
// (see shell.ts for the mocked shell).
import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import type { BackupSummary } from "@/generated/BackupSummary";

const { invoke, dialog } = vi.hoisted(() => ({ invoke: vi.fn(), dialog: { open: vi.fn(), save: vi.fn() } }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: (cmd: string, args?: unknown) => invoke(cmd, args) }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: (o: unknown) => dialog.open(o), save: (o: unknown) => dialog.save(o) }));

import Settings from "@/views/Settings.vue";
import BackupRestore from "@/components/BackupRestore.vue";
import { session } from "@/lib/session";
import { all, answerWith, besideField, callsOf, clerk, click, commands, enter, find, global, input, invalid, plugins, refuse, settings, status, type, wait } from "./shell";

const calls = (cmd: string) => callsOf(invoke, cmd);

beforeEach(() => {
  answerWith(invoke);
  dialog.open.mockReset();
  dialog.save.mockReset();
});
afterEach(() => {
  document.body.innerHTML = "";
});

const summary = (over: Partial<BackupSummary> = {}): BackupSummary => ({
  path: "/media/usb/枫桥备份-20261118.fqbak",
  office_name: "东山镇司法所",
  division_code: "350502101",
  same_office: true,
  made_at: "2026-11-18T02:00:00Z",
  made_at_label: "2026-11-18 10:00",
  made_by: "张明",
  schema_version: 12,
  supported: true,
  cases: 42,
  released: 7,
  screening_rounds: 12,
  persons: 96,
  bytes: 2_400_000,
  ...over,
});

/** The newest ElMessageBox (it is put on the page's body; a closed one may linger, its leave
 * transition never ending here). */
const boxes = () => [...document.querySelectorAll<HTMLElement>(".el-message-box")];
/** Clicks `test` and waits for the message box it opens. */
async function boxFrom(test: string): Promise<HTMLElement> {
  const before = new Set(boxes());
  click(test);
  let opened: HTMLElement | undefined;
  await wait(() => expect((opened = boxes().find((b) => !before.has(b)))).toBeDefined());
  return opened!;
}
function answer(box: HTMLElement, which: "confirm" | "cancel") {
  const buttons = box.querySelectorAll<HTMLButtonElement>(".el-message-box__btns button");
  (which === "confirm" ? buttons[buttons.length - 1] : buttons[0]).click();
}

describe("备份", () => {
  it("the file from the save window, the 备份密码 typed twice (a refusal beside 确认备份密码), Enter backs up", async () => {
    session.status = status();
    dialog.save.mockResolvedValue("/media/usb/枫桥备份-20261120");
    commands.backup_office = ({ input }) => {
      if (input.passphrase !== input.passphrase_confirm) invalid("passphrase_confirm", "确认备份密码", "两次输入的备份密码不一致");
      return { path: `${input.path}.fqbak`, bytes: 2_400_000 };
    };
    const w = mount(BackupRestore, { global, attachTo: document.body });
    expect(find("backup-note")?.textContent).toContain("备份密码无法找回");
    expect(find("backup-note")?.textContent).toContain("另一台电脑上恢复");

    click("backup-choose");
    await wait(() => expect(input("backup-path").value).toBe("/media/usb/枫桥备份-20261120"));
    expect(dialog.save.mock.calls[0][0]).toMatchObject({ defaultPath: "枫桥备份-20261120.fqbak", filters: [{ extensions: ["fqbak"] }] });

    type("backup-passphrase", "dongshan-beifen-2026");
    type("backup-passphrase-confirm", "dongshan-beifen-2025");
    click("backup-submit");
    await wait(() => expect(besideField("backup-passphrase-confirm")).toBe("两次输入的备份密码不一致"));
    expect(besideField("backup-passphrase")).toBeUndefined();
    expect(find("backup-done")).toBeNull();

    type("backup-passphrase-confirm", "dongshan-beifen-2026");
    enter("backup-passphrase-confirm");
    await wait(() => expect(find("backup-done")?.textContent).toBe("已备份到 /media/usb/枫桥备份-20261120.fqbak（2.3 MB）"));
    expect(calls("backup_office").at(-1)).toEqual({
      input: { path: "/media/usb/枫桥备份-20261120", passphrase: "dongshan-beifen-2026", passphrase_confirm: "dongshan-beifen-2026" },
    });
    // The passphrase is not kept on the page.
    expect(input("backup-passphrase").value).toBe("");
    expect(besideField("backup-passphrase-confirm")).toBeFalsy();
    w.unmount();
  });
});

describe("恢复", () => {
  it("reads the backup's summary first; another office's backup is said in red and cannot be restored", async () => {
    session.status = status();
    dialog.open.mockResolvedValue("/media/usb/枫桥备份-20261118.fqbak");
    commands.backup_info = ({ input }) => {
      if (input.passphrase !== "dongshan-beifen-2026") invalid("passphrase", "备份密码", "备份密码不正确，或文件不是枫桥备份");
      return summary({ same_office: false, office_name: "西山镇司法所", division_code: "350502102" });
    };
    const w = mount(BackupRestore, { global, attachTo: document.body });
    click("restore-choose");
    await wait(() => expect(input("restore-path").value).toBe("/media/usb/枫桥备份-20261118.fqbak"));
    expect(dialog.open.mock.calls[0][0]).toMatchObject({ multiple: false, filters: [{ extensions: ["fqbak"] }] });

    type("restore-passphrase", "wrong-passphrase");
    enter("restore-passphrase");
    await wait(() => expect(besideField("restore-passphrase")).toBe("备份密码不正确，或文件不是枫桥备份"));
    expect(find("restore-summary")).toBeNull();

    type("restore-passphrase", "dongshan-beifen-2026");
    click("restore-read");
    await wait(() => expect(find("restore-summary")).not.toBeNull());
    expect(calls("backup_info").at(-1)).toEqual({ input: { path: "/media/usb/枫桥备份-20261118.fqbak", passphrase: "dongshan-beifen-2026" } });
    expect(find("restore-office")?.textContent).toBe("西山镇司法所（350502102）");
    expect(find("restore-made-at")?.textContent).toBe("2026-11-18 10:00");
    expect(find("restore-counts")?.textContent).toBe("纠纷案件 42 件，安置帮教对象 7 人，排查 12 次，人员 96 人");
    expect(find("restore-other-office")?.textContent).toContain("这份备份属于其他司法所（西山镇司法所），不能在本所恢复");
    // In red (the test's mark is on the transition around the alert).
    expect(find("restore-other-office")?.querySelector(".el-alert--error")).not.toBeNull();
    expect(find("restore-unsupported")).toBeNull();
    expect((find("restore-submit") as HTMLButtonElement).disabled).toBe(true);
    click("restore-submit");
    await flushPromises();
    expect(document.querySelector(".el-message-box")).toBeNull();
    expect(calls("restore_office")).toHaveLength(0);

    // Another file: the summary read is no longer shown.
    type("restore-path", "/media/usb/另一个.fqbak");
    await wait(() => expect(find("restore-summary")).toBeNull());
    w.unmount();
  });

  it("a backup of a newer version is said in red", async () => {
    session.status = status();
    commands.backup_info = () => summary({ supported: false });
    const w = mount(BackupRestore, { global, attachTo: document.body });
    type("restore-path", "/media/usb/新版本.fqbak");
    type("restore-passphrase", "dongshan-beifen-2026");
    click("restore-read");
    await wait(() => expect(find("restore-unsupported")?.textContent).toContain("请先升级本程序"));
    expect(find("restore-other-office")).toBeNull();
    expect((find("restore-submit") as HTMLButtonElement).disabled).toBe(true);
    w.unmount();
  });

  it("恢复 asks first (changes after the backup are replaced), then restores and reloads the window", async () => {
    session.status = status();
    session.settings = settings as any;
    commands.backup_info = () => summary();
    commands.restore_office = () => summary();
    commands.app_status = () => status({ today: "2026-11-21" });
    commands.settings = () => ({ ...settings, current_staff: "李娜" });
    const generation = session.generation;
    const w = mount(BackupRestore, { global, attachTo: document.body });
    type("restore-path", "/media/usb/枫桥备份-20261118.fqbak");
    type("restore-passphrase", "dongshan-beifen-2026");
    click("restore-read");
    await wait(() => expect(find("restore-summary")).not.toBeNull());
    expect(find("restore-other-office")).toBeNull();
    expect(find("restore-office")?.textContent).toBe("东山镇司法所（350502101）");

    // 取消: nothing restored.
    answer(await boxFrom("restore-submit"), "cancel");
    await flushPromises();
    expect(calls("restore_office")).toHaveLength(0);

    const box = await boxFrom("restore-submit");
    expect(box.querySelector(".el-message-box__message")?.textContent).toContain("2026-11-18 10:00的备份");
    expect(box.querySelector(".el-message-box__message")?.textContent).toContain("备份之后在本机所做的新建、修改和删除都将被替换");
    answer(box, "confirm");
    await wait(() => expect(calls("restore_office")).toHaveLength(1));
    expect(calls("restore_office")[0]).toEqual({ input: { path: "/media/usb/枫桥备份-20261118.fqbak", passphrase: "dongshan-beifen-2026" } });
    await wait(() => expect(session.generation).toBe(generation + 1));
    expect(session.status?.today).toBe("2026-11-21");
    expect(session.settings?.current_staff).toBe("李娜");
    expect(input("restore-passphrase").value).toBe("");
    w.unmount();
  });

  it("a refused restore is said beside its field", async () => {
    session.status = status();
    commands.backup_info = () => summary();
    commands.restore_office = () => invalid("path", "备份文件", "备份文件已被移走或改名");
    const w = mount(BackupRestore, { global, attachTo: document.body });
    type("restore-path", "/media/usb/枫桥备份-20261118.fqbak");
    type("restore-passphrase", "dongshan-beifen-2026");
    click("restore-read");
    await wait(() => expect(find("restore-summary")).not.toBeNull());
    answer(await boxFrom("restore-submit"), "confirm");
    await wait(() => expect(besideField("restore-path")).toBe("备份文件已被移走或改名"));
    expect(calls("app_status")).toHaveLength(0);
    w.unmount();
  });
});

describe("设置", () => {
  it("备份与恢复 only for the 所长", async () => {
    session.settings = settings as any;
    commands.list_accounts = () => [];
    commands.reminder_settings = () => refuse("internal", "—");
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/", component: { render: () => null } }] });
    session.status = status();
    const d = mount(Settings, { global: { plugins: [...plugins, router] }, attachTo: document.body });
    await flushPromises();
    expect(find("backup-card")?.textContent).toContain("备份与恢复");
    d.unmount();

    session.status = status({ account: clerk, can: { ...all, administer: false, view_audit: false } });
    const w = mount(Settings, { global: { plugins: [...plugins, router] }, attachTo: document.body });
    await flushPromises();
    expect(find("backup-card")).toBeNull();
    w.unmount();
  });
});
