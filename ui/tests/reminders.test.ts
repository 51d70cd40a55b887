import { describe, it, expect, vi, beforeEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import ElementPlus from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";

const { api, dialog } = vi.hoisted(() => ({
  dialog: { open: vi.fn(), save: vi.fn() },
  api: {
  recordReminders: vi.fn(),
  acknowledgeReminder: vi.fn(),
  snoozeReminder: vi.fn(),
  importPreview: vi.fn(),
  importCommit: vi.fn(),
  importCancel: vi.fn(),
  exportXlsx: vi.fn(),
  reminderSettings: vi.fn(),
  saveReminderSettings: vi.fn(),
  },
}));
vi.mock("@/api", () => ({
  api,
  isAppError: (e: any) => e && typeof e === "object" && "code" in e,
  messageOf: (e: any) => String(e?.message ?? e),
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: (o: unknown) => dialog.open(o), save: (o: unknown) => dialog.save(o) }));
vi.mock("vue-router", () => ({ useRouter: () => ({ push: vi.fn() }) }));
vi.mock("@/lib/session", () => ({ today: () => "2026-11-20", session: { status: null } }));

import ReminderActionDialog from "@/components/ReminderActionDialog.vue";
import RecordReminders from "@/components/RecordReminders.vue";
import ReminderList from "@/components/ReminderList.vue";
import ImportDialog from "@/components/ImportDialog.vue";
import ReminderSettingsForm from "@/components/ReminderSettingsForm.vue";
import type { ReminderItem } from "@/generated/ReminderItem";
import type { ImportPreview } from "@/generated/ImportPreview";
import type { ReminderSettingsView } from "@/generated/ReminderSettingsView";

const plugins = [[ElementPlus, { locale: zhCn }]] as any;
// The reminder dialog is appended to <body>: kept in place here so it can be found.
const global = { plugins, stubs: { teleport: true } };
// Element Plus's select loops in jsdom when its teleport is stubbed; these dialogs are not
// appended to <body> anyway.
const inPlace = { plugins };

const reminder: ReminderItem = {
  id: "mediation_due:abc",
  rule: "mediation_due",
  rule_label: "调解期限将满",
  severity: "due_soon",
  title: "张伟与李娜相邻通行纠纷：受理已27天，尚未调结",
  due_on: "2026-11-23",
  days_overdue: 0,
  record_kind: "dispute_case",
  record_id: "c1",
  open: "case",
  open_id: "c1",
};

function button(w: ReturnType<typeof mount>, test: string) {
  return w.find(`[data-test="${test}"]`);
}
/** The messages beside fields are `expected` (Element Plus shows them after a transition:
 * waited for, not slept on). */
async function expectErrors(w: ReturnType<typeof mount>, expected: string[]) {
  await vi.waitFor(() => expect(w.findAll(".el-form-item__error").map((e) => e.text())).toEqual(expected), { timeout: 3000, interval: 20 });
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  dialog.open.mockReset();
  dialog.save.mockReset();
});

describe("知道了 and 暂缓", () => {
  it("a reason is required, said beside the field, and nothing is sent without it", async () => {
    const w = mount(ReminderActionDialog, { props: { reminder, action: "acknowledge" }, global });
    await flushPromises();
    await button(w, "reminder-confirm").trigger("click");
    await flushPromises();
    await expectErrors(w, ["请填写原因"]);
    expect(api.acknowledgeReminder).not.toHaveBeenCalled();
    api.acknowledgeReminder.mockResolvedValue(reminder);
    await w.find('textarea[data-test="reminder-reason"]').setValue("双方已书面同意继续调解");
    await button(w, "reminder-confirm").trigger("click");
    await flushPromises();
    expect(api.acknowledgeReminder).toHaveBeenCalledWith({ id: reminder.id, reason: "双方已书面同意继续调解" });
    expect(w.emitted("done")).toEqual([[reminder]]);
  });

  it("暂缓 proposes a week from today and shows the server's refusal on its field", async () => {
    const w = mount(ReminderActionDialog, { props: { reminder, action: "snooze" }, global });
    await flushPromises();
    api.snoozeReminder.mockRejectedValue({ code: "invalid", message: "暂缓至：应晚于今天", issues: [{ field: "until", label: "暂缓至", message: "应晚于今天（2026年11月20日）" }], reasons: [] });
    await w.find('textarea[data-test="reminder-reason"]').setValue("当事人外出");
    await button(w, "reminder-confirm").trigger("click");
    await flushPromises();
    expect(api.snoozeReminder).toHaveBeenCalledWith({ id: reminder.id, until: "2026-11-27", reason: "当事人外出" });
    await expectErrors(w, ["应晚于今天（2026年11月20日）"]);
    expect(w.emitted("done")).toBeUndefined();
  });

  it("Ctrl+Enter confirms", async () => {
    api.acknowledgeReminder.mockResolvedValue(reminder);
    const w = mount(ReminderActionDialog, { props: { reminder, action: "acknowledge" }, global });
    await flushPromises();
    const box = w.find('textarea[data-test="reminder-reason"]');
    await box.setValue("已处理");
    await box.trigger("keydown", { key: "Enter", ctrlKey: true });
    await flushPromises();
    expect(api.acknowledgeReminder).toHaveBeenCalledTimes(1);
  });
});

describe("reminders on a record and on the dashboard", () => {
  it("the record's reminders are alerts; after 暂缓 they are read again", async () => {
    api.recordReminders.mockResolvedValueOnce([reminder]).mockResolvedValueOnce([]);
    api.snoozeReminder.mockResolvedValue(reminder);
    const w = mount(RecordReminders, { props: { open: "case", id: "c1" }, global });
    await flushPromises();
    expect(api.recordReminders).toHaveBeenCalledWith({ open: "case", id: "c1" });
    const alert = w.find('[data-test="record-reminder-mediation_due"]');
    expect(alert.text()).toContain("受理已27天");
    expect(alert.text()).toContain("2026年11月23日前");
    await alert.find('[data-test="reminder-snooze"]').trigger("click");
    await flushPromises();
    await w.find('textarea[data-test="reminder-reason"]').setValue("当事人外出，下周返回");
    await button(w, "reminder-confirm").trigger("click");
    await flushPromises();
    expect(api.recordReminders).toHaveBeenCalledTimes(2);
    expect(w.find('[data-test="record-reminders"]').exists()).toBe(false);
  });

  it("the dashboard list's buttons do not open the record and report the change", async () => {
    api.acknowledgeReminder.mockResolvedValue(reminder);
    const w = mount(ReminderList, { props: { items: [reminder], empty: "没有" }, global });
    await button(w, "reminder-ack").trigger("click");
    await flushPromises();
    await w.find('textarea[data-test="reminder-reason"]').setValue("已电话督促");
    await button(w, "reminder-confirm").trigger("click");
    await flushPromises();
    expect(w.emitted("changed")).toEqual([[reminder]]);
  });
});

const preview = (over: Partial<ImportPreview> = {}): ImportPreview => ({
  token: 7,
  ledger: "disputes",
  ledger_label: "纠纷调解台账",
  path: "/tmp/台账.xlsx",
  sheet: "2024年台账",
  sheets: ["2024年台账"],
  header_rows: "第2行",
  columns: [
    { letter: "B", header: "案卷号", field: "case_no", field_label: "编号", from_mapping: false },
    { letter: "E", header: "纠纷性质", field: null, field_label: null, from_mapping: false },
  ],
  fields: [
    { code: "case_no", label: "编号", required: true },
    { code: "dispute_type", label: "纠纷类型", required: true },
  ],
  missing: [],
  rows: [
    { row: 3, status: "new", status_label: "导入", summary: "（2024）东山调字第1号 张伟、李娜", problems: [], warnings: [] },
    { row: 5, status: "rejected", status_label: "不导入", summary: "（2024）东山调字第3号", problems: ["D列“受理日期”：“2024.13.1”这一天不存在"], warnings: [] },
  ],
  new_rows: 1,
  existing_rows: 0,
  rejected_rows: 1,
  skipped_rows: [8],
  notes: [],
  ...over,
});

describe("导入Excel", () => {
  it("a chosen file is previewed; a missing column is said and import is not offered", async () => {
    dialog.open.mockResolvedValue("/tmp/台账.xlsx");
    api.importPreview.mockResolvedValue(preview({ token: null, missing: ["纠纷类型"], rows: [], new_rows: 0, rejected_rows: 0 }));
    const w = mount(ImportDialog, { props: { modelValue: true, ledger: "disputes", title: "纠纷台账" }, global: inPlace });
    await flushPromises();
    await button(w, "import-browse").trigger("click");
    await flushPromises();
    expect(api.importPreview).toHaveBeenCalledWith({ ledger: "disputes", path: "/tmp/台账.xlsx", sheet: null, columns: [] });
    expect(w.find('[data-test="import-missing"]').text()).toContain("缺少必需的列：纠纷类型");
    expect(button(w, "import-commit").attributes("disabled")).toBeDefined();
  });

  it("correcting a column previews again with every column; rows show their problems; import reports", async () => {
    api.importPreview.mockResolvedValue(preview());
    const w = mount(ImportDialog, { props: { modelValue: true, ledger: "disputes", title: "纠纷台账" }, global: inPlace });
    await flushPromises();
    await w.find('input[data-test="import-path"]').setValue("/tmp/台账.xlsx");
    await button(w, "import-load").trigger("click");
    await flushPromises();
    const select = w.find('[data-test="import-col-E"]').findComponent({ name: "ElSelect" });
    select.vm.$emit("update:modelValue", "dispute_type");
    await flushPromises();
    expect(api.importPreview).toHaveBeenLastCalledWith({
      ledger: "disputes",
      path: "/tmp/台账.xlsx",
      sheet: "2024年台账",
      columns: [
        { letter: "B", field: "case_no" },
        { letter: "E", field: "dispute_type" },
      ],
    });
    const summary = w.find('[data-test="import-summary"]').text();
    expect(summary).toContain("将导入1行");
    expect(summary).toContain("表尾第8行");
    expect(w.find('[data-test="import-rows"]').text()).toContain("“2024.13.1”这一天不存在");
    api.importCommit.mockResolvedValue({ imported: 1, records: 3, existing: 0, rejected: [{ row: 5, problems: ["D列“受理日期”：“2024.13.1”这一天不存在"] }], skipped_rows: [8] });
    await button(w, "import-commit").trigger("click");
    await flushPromises();
    expect(api.importCommit).toHaveBeenCalledWith(7);
    expect(w.find('[data-test="import-report"]').text()).toContain("已导入1行");
    expect(w.emitted("imported")).toHaveLength(1);
    await button(w, "import-done").trigger("click");
    expect(api.importCancel).not.toHaveBeenCalled();
  });

  it("取消 drops the preview; a wrong path is said beside the field", async () => {
    api.importPreview.mockRejectedValueOnce({ code: "invalid", message: "文件：只能导入Excel文件", issues: [{ field: "path", label: "文件", message: "只能导入Excel文件（.xlsx、.xls）" }], reasons: [] });
    const w = mount(ImportDialog, { props: { modelValue: true, ledger: "released", title: "安置帮教台账" }, global: inPlace });
    await flushPromises();
    await w.find('input[data-test="import-path"]').setValue("/tmp/a.txt");
    await w.find('input[data-test="import-path"]').trigger("keydown", { key: "Enter" });
    await flushPromises();
    await expectErrors(w, ["只能导入Excel文件（.xlsx、.xls）"]);
    api.importPreview.mockResolvedValue(preview({ ledger: "released" }));
    await button(w, "import-load").trigger("click");
    await flushPromises();
    api.importCancel.mockResolvedValue(null);
    await button(w, "import-cancel").trigger("click");
    await flushPromises();
    expect(api.importCancel).toHaveBeenCalledWith(7);
    expect(w.emitted("update:modelValue")).toEqual([[false]]);
  });
});

const rsSettings = {
  mediation_warn_days: 25, mediation_days: 30, jc_warn_from_day: 20, performance_warn_days: 3, return_visit_days: 30,
  immediate_return_visit_days: 30, return_visit_warn_days: 7, help_visit_key_months: 1, help_visit_general_months: 3,
  help_visit_warn_days: 7, help_period_warn_days: 30, handover_notify_days: 3, handover_collect_days: 7,
  handover_first_visit_days: 7, handover_file_days: 5, handover_hukou_days: 20, handover_warn_days: 2,
  screening_village_period: "half_month", screening_township_period: "monthly", screening_deadline_days: 0,
  screening_warn_days: 3, screening_lookback_days: 92,
  reports: [{ code: "help_half_year", name: "安置帮教工作半年报告", month: 7, day: 2, covers: "first_half" }],
  report_warn_days: 14, report_overdue_days: 30,
} as ReminderSettingsView;

describe("提醒设置", () => {
  it("while the county's settings are in force they are shown read-only, with who set them and when", async () => {
    const county = { ...rsSettings, help_visit_key_months: 2, screening_village_period: "monthly" } as ReminderSettingsView;
    const note = "提醒周期由东山县司法局统一设置（2026年11月20日下发）";
    api.reminderSettings.mockResolvedValue({
      settings: county,
      defaults: rsSettings,
      county: { county_name: "东山县司法局", version: "0123456789abcdef", received_on: "2026-11-20", note },
    });
    const w = mount(ReminderSettingsForm, { global: inPlace });
    await vi.waitFor(() => expect(w.find('[data-test="county-settings-note"]').exists()).toBe(true), { timeout: 3000, interval: 20 });
    const alert = w.find('[data-test="county-settings-note"]');
    expect(alert.text()).toContain(note);
    expect(alert.text()).toContain("本所不能修改；如需调整请联系东山县司法局");
    // The county's values, in boxes that cannot be changed; no way to save or restore.
    const key = w.find('[data-test="rs-help_visit_key_months"]');
    expect(key.find("input").element.value).toBe("2");
    expect(key.classes()).toContain("is-disabled");
    expect(w.findAll(".el-input-number").every((n) => n.classes().includes("is-disabled"))).toBe(true);
    expect(w.find('[data-test="save-reminder-settings"]').exists()).toBe(false);
    expect(w.text()).not.toContain("恢复默认值");
    expect(w.text()).not.toContain("添加报表");
    expect(api.saveReminderSettings).not.toHaveBeenCalled();
  });

  it("without the county's settings the page is the office's own and can be saved", async () => {
    api.reminderSettings.mockResolvedValue({ settings: rsSettings, defaults: rsSettings, county: null });
    api.saveReminderSettings.mockResolvedValue({ settings: rsSettings, defaults: rsSettings, county: null });
    const w = mount(ReminderSettingsForm, { global: inPlace });
    await vi.waitFor(() => expect(w.find('[data-test="save-reminder-settings"]').exists()).toBe(true), { timeout: 3000, interval: 20 });
    expect(w.find('[data-test="county-settings-note"]').exists()).toBe(false);
    expect(w.find('[data-test="rs-help_visit_key_months"]').classes()).not.toContain("is-disabled");
    await button(w, "save-reminder-settings").trigger("click");
    await vi.waitFor(() => expect(api.saveReminderSettings).toHaveBeenCalledTimes(1), { timeout: 3000, interval: 20 });
  });

  it("the server's problems show beside their fields; an emptied box is caught here", async () => {
    const settings = {
      mediation_warn_days: 25, mediation_days: 30, jc_warn_from_day: 20, performance_warn_days: 3, return_visit_days: 30,
      immediate_return_visit_days: 30, return_visit_warn_days: 7, help_visit_key_months: 1, help_visit_general_months: 3,
      help_visit_warn_days: 7, help_period_warn_days: 30, handover_notify_days: 3, handover_collect_days: 7,
      handover_first_visit_days: 7, handover_file_days: 5, handover_hukou_days: 20, handover_warn_days: 2,
      screening_village_period: "half_month", screening_township_period: "monthly", screening_deadline_days: 0,
      screening_warn_days: 3, screening_lookback_days: 92,
      reports: [{ code: "help_half_year", name: "安置帮教工作半年报告", month: 7, day: 2, covers: "first_half" }],
      report_warn_days: 14, report_overdue_days: 30,
    } as ReminderSettingsView;
    api.reminderSettings.mockResolvedValue({ settings, defaults: settings, county: null });
    api.saveReminderSettings.mockRejectedValue({
      code: "invalid", message: "受理后第几天提醒调解期限：不能晚于调解期限（30天）",
      issues: [{ field: "mediation_warn_days", label: "受理后第几天提醒调解期限", message: "不能晚于调解期限（30天）" }], reasons: [],
    });
    const w = mount(ReminderSettingsForm, { global: inPlace });
    await flushPromises();
    const box = w.find('[data-test="rs-mediation_warn_days"]').findComponent({ name: "ElInputNumber" });
    box.vm.$emit("update:modelValue", 40);
    await button(w, "save-reminder-settings").trigger("click");
    await flushPromises();
    expect(api.saveReminderSettings.mock.calls[0][0].mediation_warn_days).toBe(40);
    await expectErrors(w, ["不能晚于调解期限（30天）"]);
    box.vm.$emit("update:modelValue", null);
    await button(w, "save-reminder-settings").trigger("click");
    await flushPromises();
    expect(api.saveReminderSettings).toHaveBeenCalledTimes(1);
    await expectErrors(w, ["请填写"]);
  });
});
