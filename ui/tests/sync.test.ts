import { describe, it, expect, vi, beforeEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import ElementPlus from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";

const { api } = vi.hoisted(() => ({
  api: {
    syncOverview: vi.fn(),
    syncNow: vi.fn(),
    syncStatus: vi.fn(),
  },
}));
vi.mock("@/api", () => ({
  api,
  isAppError: (e: any) => e && typeof e === "object" && "code" in e,
  messageOf: (e: any) => String(e?.message ?? e),
}));
vi.mock("vue-router", () => ({ useRouter: () => ({ push: vi.fn() }) }));

import Sync from "@/views/Sync.vue";
import type { SyncOverview } from "@/generated/SyncOverview";
import type { SyncIndicator } from "@/generated/SyncIndicator";

const plugins = [[ElementPlus, { locale: zhCn }]] as any;
// The dialog is kept in place so that it can be found.
const global = { plugins, stubs: { teleport: true } };

const indicator: SyncIndicator = {
  phase: "synced",
  label: "已同步",
  detail: "已于10:00与县司法局同步完毕；1条修改被县司法局拒收，请在同步页查看",
  pending: 0,
  set_aside: 1,
  offline_since: null,
  stopped: false,
};

const overview: SyncOverview = {
  indicator,
  server: "https://sfj.example.gov.cn",
  enrolled: true,
  device_id: "0190a1b2-0000-7000-8000-00000000d001",
  device_name: "东山司法所-1",
  pending: 0,
  set_aside: 1,
  last_sync_at: "2026-11-20T02:00:00Z",
  last_error: null,
  last_error_detail: null,
  last_push_at: null,
  last_push_count: 0,
  last_pull_at: null,
  last_pull_count: 0,
  history: [],
  set_aside_changes: [
    {
      change_id: "0190a1b2-0000-7000-8000-00000000c001",
      kind: "dispute_case",
      kind_label: "纠纷案件",
      record_id: "0190a1b2-0000-7000-8000-00000000a001",
      title: "张伟与李娜相邻通行纠纷",
      op_label: "保存",
      created_at: "2026-11-20T01:00:00Z",
      reason: "编号与县里已有的案件重复",
      fields: [
        { field: "dispute_type", label: "纠纷类型", value: "neighborhood", display: "邻里纠纷" },
        { field: "accepted_on", label: "受理日期", value: "2026-11-18", display: "2026-11-18" },
        { field: "is_difficult", label: "疑难复杂", value: true, display: "是" },
        { field: "alternatives_told", label: "告知的其他途径", value: ["litigation", "arbitration"], display: "诉讼、仲裁" },
        { field: "referral_org", label: "委托移送单位", value: null, display: "" },
      ],
      link: "/cases/0190a1b2-0000-7000-8000-00000000a001",
    },
  ],
};

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
});

describe("同步: changes the county refused", () => {
  it("shows each field by its Chinese name with a readable value, not the raw names and codes", async () => {
    api.syncOverview.mockResolvedValue(overview);
    const w = mount(Sync, { global, attachTo: document.body });
    await flushPromises();
    await vi.waitFor(() => expect(w.find('[data-test="set-aside"]').text()).toContain("编号与县里已有的案件重复"), { timeout: 3000, interval: 20 });
    await w.find('[data-test="set-aside-show"]').trigger("click");
    await vi.waitFor(() => expect(w.find('[data-test="set-aside-fields"]').exists()).toBe(true), { timeout: 3000, interval: 20 });
    const fields = w.find('[data-test="set-aside-fields"]');
    const rows = () => fields.findAll("tbody tr").map((r) => r.findAll("td").map((c) => c.text()));
    await vi.waitFor(() => expect(rows()).toHaveLength(5), { timeout: 3000, interval: 20 });
    expect(fields.findAll("th").map((h) => h.text())).toEqual(["字段", "内容"]);
    expect(rows()).toEqual([
      ["纠纷类型", "邻里纠纷"],
      ["受理日期", "2026-11-18"],
      ["疑难复杂", "是"],
      ["告知的其他途径", "诉讼、仲裁"],
      ["委托移送单位", "（空）"],
    ]);
    for (const raw of ["dispute_type", "accepted_on", "neighborhood", "litigation", "true"]) {
      expect(fields.text()).not.toContain(raw);
    }
    w.unmount();
  });
});
