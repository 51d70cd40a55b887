// 审计日志: the 所长's read-only page (newest first, 加载更多, the chain and the county's status)
// and its menu entry, shown only to an account that may read the log (see shell.ts).
import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import type { AuditLine } from "@/generated/AuditLine";
import type { AuditLogView } from "@/generated/AuditLogView";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: (cmd: string, args?: unknown) => invoke(cmd, args) }));

import App from "@/App.vue";
import AuditLog from "@/views/AuditLog.vue";
import { session } from "@/lib/session";
import { stopWatchingSync } from "@/lib/sync";
import { all, answerWith, callsOf, clerk, click, commands, find, global, plugins, refuse, settings, status, wait } from "./shell";

const calls = (cmd: string) => callsOf(invoke, cmd);

beforeEach(() => answerWith(invoke));
afterEach(() => {
  document.body.innerHTML = "";
  stopWatchingSync();
});

const line = (seq: number, over: Partial<AuditLine> = {}): AuditLine => ({
  seq,
  at: `2026-11-20 10:${String(seq).padStart(2, "0")}:00`,
  actor: "张明",
  action: "record_create",
  action_label: "新建",
  summary: `纠纷案件 第${seq}件`,
  device: "0190a1b2",
  ...over,
});
const view = (over: Partial<AuditLogView> = {}): AuditLogView => ({
  lines: [],
  more: false,
  problem: null,
  checked: 3,
  sent_to_county: 0,
  county_refused: null,
  ...over,
});
/** The alert's type (the test's mark is on the transition around it). */
const alertOf = (test: string) => {
  const el = find(test);
  const box = el?.classList.contains("el-alert") ? el : el?.querySelector(".el-alert");
  return ["success", "error", "warning", "info"].find((t) => box?.classList.contains(`el-alert--${t}`));
};
const rows = (w: ReturnType<typeof mount>) => w.findAll(".el-table__body tr").map((r) => r.findAll("td").map((c) => c.text()));

describe("审计日志", () => {
  it("shows the newest entries, the whole chain in green and the county's count; 加载更多 reads the older ones", async () => {
    session.status = status();
    commands.audit_log = ({ input }) =>
      input.before_seq == null
        ? view({ lines: [line(3, { actor: "李娜", action_label: "查看完整号码", summary: "安置帮教对象 王某" }), line(2)], more: true, checked: 3, sent_to_county: 2 })
        : view({ lines: [line(1, { action_label: "登录", summary: "" })], more: false, checked: 3, sent_to_county: 2 });
    const w = mount(AuditLog, { global, attachTo: document.body });
    await wait(() => expect(rows(w)).toHaveLength(2));
    expect(calls("audit_log")[0]).toEqual({ input: { before_seq: null, limit: 100 } });
    expect(rows(w)[0]).toEqual(["2026-11-20 10:03:00", "李娜", "查看完整号码", "安置帮教对象 王某", "0190a1b2"]);
    const chain = find("audit-chain")!;
    expect(chain.textContent).toContain("审计日志完整，共校验3条");
    expect(alertOf("audit-chain")).toBe("success");
    expect(find("audit-county")?.textContent?.trim()).toBe("已同步到县司法局：第2条");

    click("audit-more");
    await wait(() => expect(rows(w)).toHaveLength(3));
    expect(calls("audit_log").at(-1)).toEqual({ input: { before_seq: 2, limit: 100 } });
    expect(rows(w).map((r) => r[2])).toEqual(["查看完整号码", "新建", "登录"]);
    expect(find("audit-more")).toBeNull();
    // Read-only: nothing on the page changes the log.
    expect(w.findAll("input")).toHaveLength(0);
    w.unmount();
  });

  it("a broken chain and the county's refusal in red", async () => {
    session.status = status();
    commands.audit_log = () =>
      view({ lines: [line(5)], problem: "审计日志第4条之后的记录被改动或删除", checked: 4, county_refused: "审计日志不再接续县司法局保存的记录" });
    const w = mount(AuditLog, { global, attachTo: document.body });
    await wait(() => expect(find("audit-chain")).not.toBeNull());
    expect(alertOf("audit-chain")).toBe("error");
    expect(find("audit-chain")!.textContent).toContain("审计日志第4条之后的记录被改动或删除");
    expect(alertOf("audit-county")).toBe("error");
    expect(find("audit-county")!.textContent).toContain("审计日志不再接续县司法局保存的记录");
    w.unmount();
  });

  it("a refusal is said on the page", async () => {
    session.status = status({ account: clerk, can: { ...all, view_audit: false } });
    commands.audit_log = () => refuse("forbidden", "“工作人员”账号不能查看审计日志");
    const w = mount(AuditLog, { global, attachTo: document.body });
    await wait(() => expect(find("audit-failure")?.textContent).toContain("不能查看审计日志"));
    expect(find("audit-table")).toBeNull();
    w.unmount();
  });

  it("the menu offers 审计日志 only to an account that may read it", async () => {
    let current = status();
    commands.app_status = () => current;
    commands.settings = () => settings;
    commands.sync_status = () => ({ phase: "not_connected", label: "未连接县局", detail: "", pending: 0, set_aside: 0, offline_since: null, stopped: false });
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: "/:rest(.*)*", component: { render: () => null } }] });
    router.push("/");
    await router.isReady();
    const w = mount(App, { global: { plugins: [...plugins, router] }, attachTo: document.body });
    await wait(() => expect(find("current-account")?.textContent).toBe("张明（所长）"));
    expect(find("menu-audit")?.textContent).toContain("审计日志");
    w.unmount();
    document.body.innerHTML = "";

    current = status({ account: clerk, can: { ...all, administer: false, view_audit: false } });
    const c = mount(App, { global: { plugins: [...plugins, router] }, attachTo: document.body });
    await wait(() => expect(find("current-account")?.textContent).toBe("李娜（工作人员）"));
    await flushPromises();
    expect(find("menu-audit")).toBeNull();
    expect(find("menu-settings")).not.toBeNull();
    c.unmount();
  });
});
