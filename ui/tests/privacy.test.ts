// ID and phone numbers as each account may see them: 显示 in the 安置帮教 list (reveal_personal,
// recorded), masked files shown read-only, Excel exported masked by default, the 安置帮教 forms
// printed only by an account that may see the numbers (see shell.ts for the mocked shell).
import { describe, it, expect, vi, beforeEach, afterEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { ElDropdown } from "element-plus";
import type { ReleasedRow } from "@/generated/ReleasedRow";
import type { ReleasedView } from "@/generated/ReleasedView";
import { blankPerson, blankReleasedPerson } from "@/generated/blank";

const { invoke, dialog } = vi.hoisted(() => ({ invoke: vi.fn(), dialog: { open: vi.fn(), save: vi.fn() } }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: (cmd: string, args?: unknown) => invoke(cmd, args) }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: (o: unknown) => dialog.open(o), save: (o: unknown) => dialog.save(o) }));

import Released from "@/views/Released.vue";
import ReleasedFile from "@/views/ReleasedFile.vue";
import ExcelButtons from "@/components/ExcelButtons.vue";
import PersonFields from "@/components/PersonFields.vue";
import { session } from "@/lib/session";
import { all, answerWith, callsOf, clerk, click, commands, find, global, input, plugins, settings, status, wait } from "./shell";

const calls = (cmd: string) => callsOf(invoke, cmd);
const readonlyAccount = () =>
  status({ account: { ...clerk, name: "wangfang", display_name: "王芳", role: "readonly", role_label: "只读" }, can: { edit: false, administer: false, view_audit: false, see_personal: false, export: false } });

beforeEach(() => {
  answerWith(invoke);
  dialog.open.mockReset();
  dialog.save.mockReset();
  session.settings = settings as any;
});
afterEach(() => {
  document.body.innerHTML = "";
});

const ID = "0190a1b2-0000-7000-8000-00000000b001";
const row = (over: Partial<ReleasedRow> = {}): ReleasedRow => ({
  id: ID,
  name: "王某",
  id_number: "350502********123X",
  gender: "1",
  crime_name: "盗窃罪",
  released_on: "2026-05-01",
  assessment_type: "02",
  handover_status: "done",
  help_status: "active",
  help_period_end: "2031-05-01",
  needs_release: false,
  ...over,
});

function router() {
  const r = createRouter({ history: createMemoryHistory(), routes: [{ path: "/:rest(.*)*", component: { render: () => null } }] });
  r.push("/released");
  return r;
}

describe("安置帮教 list", () => {
  it("显示 shows one row's whole numbers (recorded, said in its tooltip); 隐藏 masks them again", async () => {
    session.status = status({ account: clerk, can: { ...all, administer: false, view_audit: false } });
    commands.list_released = () => ({ rows: [row(), row({ id: "0190a1b2-0000-7000-8000-00000000b002", name: "李某", id_number: "350502********4521" })], total: 2, page: 1, page_size: 20 });
    commands.reveal_personal = ({ input }) => ({ kind: input.kind, id: input.id, name: "王某", id_number: "35050219800101123X", phone: "13805951234" });
    const r = router();
    await r.isReady();
    const w = mount(Released, { global: { plugins: [...plugins, r] }, attachTo: document.body });
    await wait(() => expect(find(`released-id-${ID}`)?.textContent).toContain("350502********123X"));
    expect(find(`reveal-${ID}`)?.textContent).toContain("显示");
    expect(find("reveal-0190a1b2-0000-7000-8000-00000000b002")).not.toBeNull();
    const tooltip = w.findAllComponents({ name: "ElTooltip" }).find((t) => t.props("content") === "查看完整号码会记入审计日志");
    expect(tooltip).toBeDefined();
    expect(calls("reveal_personal")).toHaveLength(0);

    click(`reveal-${ID}`);
    await wait(() => expect(find(`released-id-${ID}`)?.textContent).toContain("35050219800101123X"));
    expect(find(`released-phone-${ID}`)?.textContent).toBe("13805951234");
    expect(calls("reveal_personal")).toEqual([{ input: { kind: "released_person", id: ID } }]);
    // The other row stays masked.
    expect(find("released-id-0190a1b2-0000-7000-8000-00000000b002")?.textContent).toContain("350502********4521");

    click(`hide-${ID}`);
    await wait(() => expect(find(`released-id-${ID}`)?.textContent).toContain("350502********123X"));
    expect(find(`released-phone-${ID}`)).toBeNull();
    w.unmount();
  });

  it("an account that may not see the numbers gets no 显示 (nor 新建档案, 导入 or 导出 for a 只读 account)", async () => {
    session.status = readonlyAccount();
    commands.list_released = () => ({ rows: [row()], total: 1, page: 1, page_size: 20 });
    const r = router();
    await r.isReady();
    const w = mount(Released, { global: { plugins: [...plugins, r] }, attachTo: document.body });
    await wait(() => expect(find(`released-id-${ID}`)?.textContent).toContain("350502********123X"));
    expect(find(`reveal-${ID}`)).toBeNull();
    expect(find("new-released")).toBeNull();
    expect(find("import-excel")).toBeNull();
    expect(find("export-excel")).toBeNull();
    expect(calls("reveal_personal")).toHaveLength(0);
    w.unmount();
  });
});

describe("导出Excel", () => {
  it("exports masked by default; 完整身份证号 is offered to an account that may see the numbers", async () => {
    session.status = status();
    dialog.save.mockResolvedValue("/tmp/安置帮教台账.xlsx");
    commands.export_xlsx = ({ input }) => ({ path: input.path, rows: 7, bytes: 9000 });
    const w = mount(ExcelButtons, { props: { ledger: "released", title: "安置帮教台账" }, global, attachTo: document.body });
    expect(find("import-excel")).not.toBeNull();
    const dropdown = w.findComponent(ElDropdown);
    expect(dropdown.exists()).toBe(true);
    // The split button's main half.
    dropdown.vm.$emit("click");
    await wait(() => expect(calls("export_xlsx")).toHaveLength(1));
    expect(calls("export_xlsx")[0]).toEqual({ input: { ledger: "released", path: "/tmp/安置帮教台账.xlsx", mask_ids: true } });

    dropdown.vm.$emit("command", "full");
    await wait(() => expect(calls("export_xlsx")).toHaveLength(2));
    expect(calls("export_xlsx")[1]).toEqual({ input: { ledger: "released", path: "/tmp/安置帮教台账.xlsx", mask_ids: false } });
    w.unmount();
  });

  it("without see_personal only the masked export is offered", async () => {
    session.status = status({ account: clerk, can: { ...all, administer: false, view_audit: false, see_personal: false } });
    dialog.save.mockResolvedValue("/tmp/纠纷台账.xlsx");
    commands.export_xlsx = ({ input }) => ({ path: input.path, rows: 3, bytes: 9000 });
    const w = mount(ExcelButtons, { props: { ledger: "disputes", title: "纠纷台账" }, global, attachTo: document.body });
    expect(w.findComponent(ElDropdown).exists()).toBe(false);
    expect(find("export-full")).toBeNull();
    click("export-excel");
    await wait(() => expect(calls("export_xlsx")).toHaveLength(1));
    expect(calls("export_xlsx")[0]).toEqual({ input: { ledger: "disputes", path: "/tmp/纠纷台账.xlsx", mask_ids: true } });
    w.unmount();
  });
});

describe("masked files", () => {
  it("PersonFields shows masked numbers read-only, with the hint, and does not check them", async () => {
    session.status = readonlyAccount();
    const person = { ...blankPerson(), name: "王某", id_number: "350502********123X", phone: "138****1234" };
    mount(PersonFields, { props: { person, error: () => undefined, masked: true }, global, attachTo: document.body });
    await flushPromises();
    expect(input("id-number").readOnly).toBe(true);
    expect(input("id-number").value).toBe("350502********123X");
    expect(input("person-phone").readOnly).toBe(true);
    expect(find("masked-note")?.textContent).toBe("只读账号不显示完整号码");
    expect(calls("check_id_number")).toHaveLength(0);
  });

  it("PersonFields of a whole file can be typed in", async () => {
    session.status = status();
    commands.check_id_number = () => ({ valid: false });
    const person = { ...blankPerson(), name: "王某", id_number: "35050219800101123X", phone: "13805951234" };
    mount(PersonFields, { props: { person, error: () => undefined }, global, attachTo: document.body });
    await flushPromises();
    expect(input("id-number").readOnly).toBe(false);
    expect(input("person-phone").readOnly).toBe(false);
    expect(find("masked-note")).toBeNull();
  });

  const released = (masked: boolean): ReleasedView => ({
    file: {
      ...blankReleasedPerson(),
      id: ID,
      person: { ...blankPerson(), name: "王某", id_number: masked ? "350502********123X" : "35050219800101123X", phone: masked ? "138****1234" : "13805951234" },
      help_group: null,
      help_visits: [],
      assessment_changes: [],
      handover_events: [],
      crime_name: "盗窃罪",
      is_recidivist: false,
      must_escort: false,
    } as any,
    masked,
    needs_release: false,
    period_ends_in_days: null,
    warnings: [],
  });
  function mountFile(view: ReleasedView) {
    commands.get_released = () => view;
    commands.record_reminders = () => [];
    commands.validate_record = () => ({ errors: [], warnings: [] });
    commands.check_id_number = () => ({ valid: false });
    commands.print_documents = () => [{ code: "released-register", name: "刑满释放人员基本情况登记表", input: "released" }];
    const r = router();
    return mount(ReleasedFile, { props: { id: ID }, global: { plugins: [...plugins, r] }, attachTo: document.body });
  }

  it("a 只读 account's 帮教档案: numbers read-only, no 打印, no 保存", async () => {
    session.status = readonlyAccount();
    const w = mountFile(released(true));
    await wait(() => expect(input("id-number").value).toBe("350502********123X"));
    expect(input("id-number").readOnly).toBe(true);
    expect(input("person-phone").readOnly).toBe(true);
    expect(find("masked-note")?.textContent).toBe("只读账号不显示完整号码");
    expect(find("print-released-register")).toBeNull();
    expect(find("save-released")).toBeNull();
    expect(calls("print_documents")).toHaveLength(0);
    w.unmount();
  });

  it("a 工作人员's 帮教档案: numbers whole and editable, 打印 and 保存 offered", async () => {
    session.status = status({ account: clerk, can: { ...all, administer: false, view_audit: false } });
    const w = mountFile(released(false));
    await wait(() => expect(input("id-number").value).toBe("35050219800101123X"));
    expect(input("id-number").readOnly).toBe(false);
    expect(find("masked-note")).toBeNull();
    await wait(() => expect(find("print-released-register")).not.toBeNull());
    expect(find("save-released")).not.toBeNull();
    w.unmount();
  });
});
