import { describe, it, expect, vi, beforeEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import ElementPlus from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";
import type { AppStatus } from "@/generated/AppStatus";
import type { SyncIndicator } from "@/generated/SyncIndicator";

const { api, tauri } = vi.hoisted(() => {
  // The joined office's two commands go through invoke, so a test answers them by name.
  const tauri = { invoke: vi.fn() };
  return {
    tauri,
    api: {
    joinedOffice: vi.fn(() => tauri.invoke("joined_office")),
    completeJoinedOffice: vi.fn((input: unknown) => tauri.invoke("complete_joined_office", { input })),
    appStatus: vi.fn(),
    firstRun: vi.fn(),
    joinOffice: vi.fn(),
    syncStatus: vi.fn(),
    syncNow: vi.fn(),
    validate: vi.fn(),
    checkIdNumber: vi.fn(),
    },
  };
});
vi.mock("@/api", () => ({
  api,
  isAppError: (e: any) => e && typeof e === "object" && "code" in e,
  messageOf: (e: any) => String(e?.message ?? e),
}));


import FirstRun from "@/views/FirstRun.vue";
import { session } from "@/lib/session";

const global = { plugins: [[ElementPlus, { locale: zhCn }]] as any };

function status(over: Partial<AppStatus> = {}): AppStatus {
  return {
    initialized: false,
    data_dir: "/home/clerk/.local/share/fengqiao",
    version: "0.1.0",
    today: "2026-11-20",
    office: null,
    current_staff: null,
    device_name: "DONGSHAN-PC2",
    open_error: null,
    secured: false,
    account: null,
    can: { edit: true, administer: true, view_audit: true, see_personal: true, export: true },
    locked: false,
    idle_lock_minutes: 10,
    recovery_key: null,
    ...over,
  };
}
const office = { name: "东山镇司法所", division_code: "350502101" } as AppStatus["office"];

function indicator(phase: SyncIndicator["phase"], over: Partial<SyncIndicator> = {}): SyncIndicator {
  return { phase, label: "", detail: "", pending: 0, set_aside: 0, offline_since: null, stopped: false, ...over };
}

const serverMessage = "应为以 http:// 或 https:// 开头的地址，如 https://sfj.example.gov.cn";
const codeMessage = "注册码无效、已使用或已过期，请向县司法局申请新的注册码";

function find(w: ReturnType<typeof mount>, test: string) {
  return w.find(`[data-test="${test}"]`);
}
/** The messages beside fields are `expected` (Element Plus shows them after a transition:
 * waited for, not slept on). */
async function expectErrors(w: ReturnType<typeof mount>, expected: string[]) {
  await vi.waitFor(() => expect(w.findAll(".el-form-item__error").map((e) => e.text())).toEqual(expected), { timeout: 3000, interval: 20 });
}
async function chooseJoin(w: ReturnType<typeof mount>) {
  await find(w, "mode-join").find("input").setValue(true);
  await flushPromises();
}
async function fill(w: ReturnType<typeof mount>, server: string, code: string, staff: string, login = "", password = "") {
  await find(w, "join-server").setValue(server);
  await find(w, "join-code").setValue(code);
  await find(w, "join-staff-name").setValue(staff);
  await find(w, "join-login-name").setValue(login);
  await find(w, "join-password").setValue(password);
  await find(w, "join-password-confirm").setValue(password);
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.joinedOffice.mockImplementation(() => tauri.invoke("joined_office"));
  api.completeJoinedOffice.mockImplementation((input: unknown) => tauri.invoke("complete_joined_office", { input }));
  tauri.invoke.mockReset();
  api.validate.mockResolvedValue({ errors: [], warnings: [] });
  localStorage.clear();
  session.status = status();
});

describe("首次运行: 新建 or 加入", () => {
  it("opens on the new-office wizard; 加入已登记的司法所 asks for the address, the code, the clerk and this PC's name", async () => {
    const w = mount(FirstRun, { props: { pollMs: 10 }, global });
    await flushPromises();
    expect(find(w, "step-office").exists()).toBe(true);
    expect(find(w, "join-form").exists()).toBe(false);

    await chooseJoin(w);
    expect(find(w, "step-office").exists()).toBe(false);
    expect(find(w, "join-form").exists()).toBe(true);
    const labels = w.findAll('[data-test="join-form"] .el-form-item__label').map((l) => l.text());
    expect(labels).toEqual(["县级服务器地址", "注册码", "您的姓名（本机工作人员）", "登录名", "密码", "确认密码", "本机名称（县司法局的设备名单上显示）"]);
    expect((find(w, "join-device-name").element as HTMLInputElement).value).toBe("DONGSHAN-PC2");

    // And back: the wizard is where it was.
    await find(w, "mode-new").find("input").setValue(true);
    await flushPromises();
    expect(find(w, "step-office").exists()).toBe(true);
  });

  it("Enter submits; each refusal is said beside its field, the earlier ones cleared", async () => {
    const w = mount(FirstRun, { props: { pollMs: 10 }, global, attachTo: document.body });
    await chooseJoin(w);
    await fill(w, "sfj.example", "ABCD-EFGH", "");
    api.joinOffice.mockRejectedValueOnce({
      code: "invalid",
      message: "有2处需要更正",
      issues: [
        { field: "county_server", label: "县级服务器地址", message: serverMessage },
        { field: "staff_name", label: "工作人员姓名", message: "必须填写" },
      ],
      reasons: [],
    });
    await find(w, "join-code").trigger("keydown", { key: "Enter" });
    await flushPromises();
    expect(api.joinOffice).toHaveBeenCalledWith({
      server: "sfj.example",
      code: "ABCD-EFGH",
      staff_name: "",
      login_name: "",
      password: "",
      device_name: "DONGSHAN-PC2",
    });
    await expectErrors(w, [serverMessage, "必须填写"]);
    // The first field to correct has the focus.
    await vi.waitFor(() => expect(document.activeElement).toBe(find(w, "join-server").element), { timeout: 3000, interval: 20 });

    // A wrong code: on the code's field only.
    await fill(w, "http://10.0.0.5:8443", "WRONG-CODE", "周芳", "zhoufang", "dongshan2026");
    api.joinOffice.mockRejectedValueOnce({
      code: "wrong_code",
      message: codeMessage,
      issues: [{ field: "enrollment_code", label: "注册码", message: codeMessage }],
      reasons: [],
    });
    await find(w, "join-submit").trigger("click");
    await expectErrors(w, [codeMessage]);

    // No county at the address: on the address's field.
    const unreachable = "无法连接县级服务器（连接失败），请核对地址，并检查本机网络";
    api.joinOffice.mockRejectedValueOnce({
      code: "unreachable",
      message: unreachable,
      issues: [{ field: "county_server", label: "县级服务器地址", message: unreachable }],
      reasons: [],
    });
    await find(w, "join-staff-name").trigger("keydown", { key: "Enter" });
    await expectErrors(w, [unreachable]);
    expect(api.joinOffice).toHaveBeenCalledTimes(3);
    expect(w.emitted("done")).toBeUndefined();
    w.unmount();
  });

  it("says 正在登记…, then 正在从县司法局取回本所记录… until the records are here, then opens the 工作台", async () => {
    let joined!: (s: AppStatus) => void;
    api.joinOffice.mockReturnValue(new Promise<AppStatus>((r) => (joined = r)));
    let arrived = false;
    api.appStatus.mockImplementation(async () => status({ initialized: true, current_staff: "周芳", office: arrived ? office : null }));
    api.syncStatus.mockImplementation(async () => (arrived ? indicator("synced") : indicator("syncing")));

    const w = mount(FirstRun, { props: { pollMs: 10 }, global });
    await chooseJoin(w);
    await fill(w, "http://10.0.0.5:8443", "ABCD-EFGH", "周芳", "zhoufang", "dongshan2026");
    await find(w, "join-submit").trigger("click");
    await flushPromises();
    expect(find(w, "join-enrolling").text()).toBe("正在登记…");
    expect(find(w, "mode-new").classes()).toContain("is-disabled");
    expect((find(w, "join-code").element as HTMLInputElement).disabled).toBe(true);
    // A second Enter while it works sends nothing more.
    await find(w, "join-code").trigger("keydown", { key: "Enter" });
    expect(api.joinOffice).toHaveBeenCalledTimes(1);

    joined(status({ initialized: true, current_staff: "周芳" }));
    await vi.waitFor(() => expect(find(w, "join-progress-text").text()).toContain("正在从县司法局取回本所记录…"), { timeout: 3000, interval: 20 });
    await vi.waitFor(() => expect(api.syncStatus.mock.calls.length).toBeGreaterThan(2), { timeout: 3000, interval: 20 });
    expect(w.emitted("done")).toBeUndefined();

    arrived = true;
    await vi.waitFor(() => expect(w.emitted("done")).toHaveLength(1), { timeout: 3000, interval: 20 });
    w.unmount();
  });

  it("reopened before the records came, it goes on waiting; offline it says so and 立即重试 asks for a round", async () => {
    session.status = status({ initialized: true, current_staff: "周芳" });
    api.appStatus.mockResolvedValue(status({ initialized: true, current_staff: "周芳" }));
    api.syncStatus.mockResolvedValue(indicator("offline", { offline_since: "2026-11-20T01:30:00Z" }));
    api.syncNow.mockResolvedValue(indicator("syncing"));

    const w = mount(FirstRun, { props: { pollMs: 10 }, global });
    expect(find(w, "join-form").exists()).toBe(false);
    await vi.waitFor(() => expect(find(w, "join-progress-text").text()).toContain("暂时连不上县级服务器"), { timeout: 3000, interval: 20 });
    await find(w, "join-retry").trigger("click");
    expect(api.syncNow).toHaveBeenCalledTimes(1);

    // The county has no record of the office yet (no PC of it ever synced): said so.
    api.syncStatus.mockResolvedValue(indicator("synced"));
    await vi.waitFor(() => expect(find(w, "join-progress-text").text()).toContain("县司法局还没有本所的记录"), { timeout: 3000, interval: 20 });
    expect(w.emitted("done")).toBeUndefined();
    w.unmount();
  });

  it("新建: the 所长's 登录名 and password go with the answers (the password never into the draft); a differing 确认密码 is refused here", async () => {
    api.firstRun.mockResolvedValue(status({ initialized: true, secured: true }));
    const w = mount(FirstRun, { props: { pollMs: 10 }, global });
    await find(w, "office-name").setValue("东山镇司法所");
    await find(w, "division-code").setValue("350502101");
    for (let n = 0; n < 3; n++) await find(w, "next").trigger("click");
    expect(w.find('[data-test="step-staff"]').text()).toContain("所长账号");
    await find(w, "staff-name").setValue("张明");
    await find(w, "login-name").setValue("zhangming");
    await find(w, "password").setValue("dongshan2026");
    await find(w, "password-confirm").setValue("dongshan2025");
    // The draft keeps the 登录名, never the password.
    await vi.waitFor(() => expect(localStorage.getItem("fengqiao:draft:first-run")).toContain("zhangming"), { timeout: 3000, interval: 20 });
    expect(localStorage.getItem("fengqiao:draft:first-run")).not.toContain("dongshan");

    await find(w, "finish").trigger("click");
    await flushPromises();
    expect(api.firstRun).not.toHaveBeenCalled();
    await expectErrors(w, ["两次输入的密码不一致"]);

    // The server's refusal of the password is said beside 密码.
    await find(w, "password-confirm").setValue("dongshan2026");
    api.firstRun.mockRejectedValueOnce({
      code: "invalid",
      message: "有1处需要更正",
      issues: [{ field: "password", label: "密码", message: "密码的开头和结尾不能是空格" }],
      reasons: [],
    });
    await find(w, "password-confirm").trigger("keydown", { key: "Enter" });
    await flushPromises();
    await expectErrors(w, ["密码的开头和结尾不能是空格"]);

    await find(w, "finish").trigger("click");
    await flushPromises();
    expect(api.firstRun).toHaveBeenLastCalledWith(
      expect.objectContaining({ office_name: "东山镇司法所", staff_name: "张明", login_name: "zhangming", password: "dongshan2026" }),
    );
    await vi.waitFor(() => expect(w.emitted("done")).toHaveLength(1), { timeout: 3000, interval: 20 });
    w.unmount();
  });

  it("加入: a differing 确认密码 is refused here, beside it and focused", async () => {
    const w = mount(FirstRun, { props: { pollMs: 10 }, global, attachTo: document.body });
    await chooseJoin(w);
    await fill(w, "http://10.0.0.5:8443", "ABCD-EFGH", "周芳", "zhoufang", "dongshan2026");
    await find(w, "join-password-confirm").setValue("dongshan");
    await find(w, "join-submit").trigger("click");
    await flushPromises();
    expect(api.joinOffice).not.toHaveBeenCalled();
    await expectErrors(w, ["两次输入的密码不一致"]);
    await vi.waitFor(() => expect(document.activeElement).toBe(find(w, "join-password-confirm").element), { timeout: 3000, interval: 20 });
    w.unmount();
  });

  describe("加入 an office the county holds nothing for: 填写本所信息", () => {
    const countySaid = {
      office_id: "0190f3a0-0000-7000-8000-000000000001",
      office_name: "东山镇司法所",
      division_code: "350502101",
      has_office: false,
      pulled: true,
    };
    const numberPrefix = "编号代字必须填写";
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    function joinedAndWaiting() {
      session.status = status({ initialized: true, secured: true, current_staff: "周芳" });
      api.appStatus.mockResolvedValue(status({ initialized: true, secured: true, current_staff: "周芳" }));
    }

    it("offered once a round brought nothing; the new office's three steps, started from what the county registered; refusals beside their fields; then the 工作台", async () => {
      joinedAndWaiting();
      api.syncStatus.mockResolvedValue(indicator("syncing"));
      const w = mount(FirstRun, { props: { pollMs: 10 }, global });
      // While the first round runs, nothing is offered.
      await vi.waitFor(() => expect(find(w, "join-progress-text").text()).toContain("正在从县司法局取回本所记录…"), { timeout: 3000, interval: 20 });
      expect(find(w, "join-fill-office").exists()).toBe(false);

      // The round finished without the office's record: the way out is offered beside 立即重试.
      api.syncStatus.mockResolvedValue(indicator("synced"));
      await vi.waitFor(() => expect(find(w, "join-fill-office").exists()).toBe(true), { timeout: 3000, interval: 20 });
      expect(find(w, "join-progress-text").text()).toContain("本机是本所第一台使用本软件的电脑的，请点“填写本所信息”");
      expect(find(w, "join-retry").exists()).toBe(true);

      tauri.invoke.mockImplementation(async (cmd: string) => {
        if (cmd === "joined_office") return countySaid;
        throw new Error(`unexpected ${cmd}`);
      });
      await find(w, "join-fill-office").trigger("click");
      await flushPromises();
      expect(api.joinedOffice).toHaveBeenCalled();
      expect(find(w, "join-progress").exists()).toBe(false);
      expect(find(w, "fill-office-note").text()).toContain("县司法局已登记本所，但还没有本所的任何记录");
      // The steps of a new office without its account and server: this PC has them.
      expect(w.findAll(".el-step__title").map((t) => t.text())).toEqual(["司法所", "人民调解委员会", "人民调解员"]);
      expect(find(w, "step-staff").exists()).toBe(false);
      expect((find(w, "office-name").element as HTMLInputElement).value).toBe("东山镇司法所");
      expect((find(w, "division-code").element as HTMLInputElement).value).toBe("350502101");
      expect(find(w, "mode-join").classes()).toContain("is-active");
      // No more waiting for the county meanwhile.
      const polled = api.syncStatus.mock.calls.length;
      await sleep(80);
      expect(api.syncStatus.mock.calls.length).toBe(polled);

      await find(w, "next").trigger("click");
      await find(w, "committee-name").setValue("东山镇人民调解委员会");
      await find(w, "next").trigger("click");
      await find(w, "mediator-name-0").setValue("王秀英");
      expect(find(w, "next").exists()).toBe(false);

      // Refused: each problem beside its field, on the first step with one.
      tauri.invoke.mockImplementation(async (cmd: string) => {
        if (cmd === "complete_joined_office")
          throw {
            code: "invalid",
            message: "有2处需要更正",
            issues: [
              { field: "committee.number_prefix", label: "编号代字", message: numberPrefix },
              { field: "mediators[0].gender", label: "性别", message: "必须填写" },
            ],
            reasons: [],
          };
        throw new Error(`unexpected ${cmd}`);
      });
      await find(w, "finish").trigger("click");
      await flushPromises();
      expect(tauri.invoke).toHaveBeenLastCalledWith("complete_joined_office", {
        input: {
          office_name: "东山镇司法所",
          division_code: "350502101",
          committee: expect.objectContaining({ name: "东山镇人民调解委员会", committee_type: "township" }),
          mediators: [expect.objectContaining({ name: "王秀英", role: "director" })],
        },
      });
      await expectErrors(w, [numberPrefix, "必须填写"]);
      expect((find(w, "step-committee").element as HTMLElement).style.display).not.toBe("none");
      expect(w.emitted("done")).toBeUndefined();

      // Corrected: done, the draft forgotten.
      await find(w, "number-prefix").setValue("东山");
      tauri.invoke.mockImplementation(async (cmd: string) => {
        if (cmd === "complete_joined_office") return status({ initialized: true, secured: true, current_staff: "周芳", office });
        throw new Error(`unexpected ${cmd}`);
      });
      await find(w, "next").trigger("click");
      await find(w, "finish").trigger("click");
      await vi.waitFor(() => expect(w.emitted("done")).toHaveLength(1), { timeout: 3000, interval: 20 });
      expect(tauri.invoke).toHaveBeenLastCalledWith("complete_joined_office", {
        input: expect.objectContaining({ committee: expect.objectContaining({ number_prefix: "东山" }) }),
      });
      expect(localStorage.getItem("fengqiao:draft:first-run")).toBeNull();
      w.unmount();
    });

    it("返回 waits for the county again; the office's record came meanwhile: the refusal ends the wait as its arrival would", async () => {
      joinedAndWaiting();
      api.syncStatus.mockResolvedValue(indicator("synced"));
      tauri.invoke.mockImplementation(async (cmd: string) => {
        if (cmd === "joined_office") return countySaid;
        throw { code: "office_present", message: "本所的记录已从县司法局取回，不需要再填写", issues: [], reasons: [] };
      });
      const w = mount(FirstRun, { props: { pollMs: 10 }, global });
      await vi.waitFor(() => expect(find(w, "join-fill-office").exists()).toBe(true), { timeout: 3000, interval: 20 });
      await find(w, "join-fill-office").trigger("click");
      await flushPromises();
      await find(w, "fill-back").trigger("click");
      await flushPromises();
      expect(find(w, "step-office").exists()).toBe(false);
      // Waiting again: the county is asked again.
      const polled = api.syncStatus.mock.calls.length;
      await vi.waitFor(() => expect(api.syncStatus.mock.calls.length).toBeGreaterThan(polled + 1), { timeout: 3000, interval: 20 });

      await find(w, "join-fill-office").trigger("click");
      await flushPromises();
      for (let n = 0; n < 2; n++) await find(w, "next").trigger("click");
      // Meanwhile another PC of the office synced: its record came, and the command says so.
      api.appStatus.mockResolvedValue(status({ initialized: true, secured: true, current_staff: "周芳", office }));
      await find(w, "finish").trigger("click");
      await vi.waitFor(() => expect(w.emitted("done")).toHaveLength(1), { timeout: 3000, interval: 20 });
      w.unmount();
    });
  });
});
