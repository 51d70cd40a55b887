import { describe, it, expect, vi, beforeEach } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { nextTick, ref } from "vue";
import ElementPlus from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";

const checkIdNumber = vi.fn();
const validate = vi.fn();
vi.mock("@/api", () => ({
  api: { checkIdNumber: (s: string) => checkIdNumber(s), validate: (i: unknown) => validate(i) },
  isAppError: (e: any) => e && typeof e === "object" && "code" in e,
  messageOf: (e: any) => String(e?.message ?? e),
}));

import CodeSelect from "@/components/CodeSelect.vue";
import IdNumberInput from "@/components/IdNumberInput.vue";
import PersonFields from "@/components/PersonFields.vue";
import { blankPerson } from "@/generated/blank";
import { useValidation } from "@/lib/validation";
import { useDraft, readDraft } from "@/lib/drafts";
import { formKeys } from "@/lib/keys";
import { cnTime, fromLocalTime } from "@/lib/format";
import { label, options } from "@/lib/codes";

const global = { plugins: [[ElementPlus, { locale: zhCn }]] as any };
const valid = { valid: true, number: "34052419800101001X", gender: "1", birth_date: "1980-01-01", age: 46, converted_from_15: false, error: null, warnings: [] };

beforeEach(() => {
  checkIdNumber.mockReset();
  validate.mockReset();
  localStorage.clear();
});

describe("code lists from Rust", () => {
  it("label and options come from the generated tables", () => {
    expect(label("DisputeType", "neighborhood")).toBe("邻里纠纷");
    expect(label("Gender", "2")).toBe("女");
    expect(options("DisputeType")).toHaveLength(18);
    expect(options("Gender", ["1", "2"]).map((o) => o.label)).toEqual(["男", "女"]);
  });

  it("CodeSelect offers the list's labels and emits codes", async () => {
    const w = mount(CodeSelect, { props: { modelValue: null, list: "CaseSource" }, global });
    const opts = w.findAllComponents({ name: "ElOption" });
    expect(opts.map((o) => o.props("label"))).toEqual(["依申请调解", "主动调解", "接受委托移送调解"]);
    w.findComponent({ name: "ElSelect" }).vm.$emit("update:modelValue", "proactive");
    expect(w.emitted("update:modelValue")).toEqual([["proactive"]]);
  });
});

describe("ID number", () => {
  it("a valid number shows and gives gender and birth date", async () => {
    checkIdNumber.mockResolvedValue(valid);
    const w = mount(IdNumberInput, { props: { modelValue: "34052419800101001x" }, global });
    await flushPromises();
    expect(checkIdNumber).toHaveBeenCalledWith("34052419800101001x");
    expect(w.find('[data-test="id-derived"]').text()).toContain("男 · 1980年1月1日出生 · 46岁");
    expect(w.emitted("derived")).toEqual([[valid]]);
  });

  it("a short number is not checked yet", async () => {
    mount(IdNumberInput, { props: { modelValue: "340524" }, global });
    await flushPromises();
    expect(checkIdNumber).not.toHaveBeenCalled();
  });

  it("PersonFields fills gender and birth date from the number", async () => {
    checkIdNumber.mockResolvedValue(valid);
    const person = ref({ ...blankPerson(), id_number: "34052419800101001x" });
    mount(PersonFields, { props: { person: person.value, error: () => undefined }, global });
    await flushPromises();
    expect(person.value.gender).toBe("1");
    expect(person.value.birth_date).toBe("1980-01-01");
    expect(person.value.id_number).toBe("34052419800101001X");
  });
});

describe("validation as the clerk types", () => {
  it("shows a field's problem once it was changed, all of them after a save was tried", async () => {
    vi.useFakeTimers();
    validate.mockResolvedValue({
      errors: [
        { field: "title", label: "案由/纠纷名称", message: "必须填写" },
        { field: "phone", label: "联系方式", message: "电话号码格式不正确（5–20位数字，可含“-”）" },
      ],
      warnings: [],
    });
    const rec = ref({ title: null as string | null, phone: null as string | null });
    const v = useValidation("person", rec, { asFinal: true, debounceMs: 10 });
    rec.value.phone = "电话";
    await nextTick();
    await vi.advanceTimersByTimeAsync(20);
    expect(validate).toHaveBeenCalledWith({ kind: "person", record: { title: null, phone: "电话" }, as_final: true });
    expect(v.error("phone")).toContain("电话号码格式不正确");
    expect(v.error("title")).toBeUndefined();
    v.submitted.value = true;
    expect(v.error("title")).toBe("必须填写");
    vi.useRealTimers();
  });

  it("a refused save's problems show at once, under the form's prefix, until the field changes", async () => {
    validate.mockResolvedValue({ errors: [], warnings: [] });
    const rec = ref({ id_number: "1" });
    const v = useValidation("person", rec);
    v.refused({ code: "invalid", message: "", reasons: [], issues: [{ field: "person.id_number", label: "公民身份号码", message: "公民身份号码应为18位（或旧式15位），现为1位" }] }, "person.");
    expect(v.error("id_number")).toContain("现为1位");
    rec.value.id_number = "12";
    await nextTick();
    expect(v.error("id_number")).toBeUndefined();
  });
});

describe("drafts", () => {
  it("unsaved input survives the form being closed and is restored", async () => {
    vi.useFakeTimers();
    const form = ref({ title: "" });
    const d = useDraft("case:1", form, 10);
    form.value.title = "张伟与李娜相邻通行纠纷";
    await nextTick();
    await vi.advanceTimersByTimeAsync(20);
    expect(readDraft<{ title: string }>("case:1")?.title).toBe("张伟与李娜相邻通行纠纷");
    d.stop();
    const again = ref({ title: "" });
    const d2 = useDraft("case:1", again, 10);
    expect(again.value.title).toBe("张伟与李娜相邻通行纠纷");
    expect(d2.restored.value).toBe(true);
    d2.clear();
    expect(readDraft("case:1")).toBeNull();
    vi.useRealTimers();
  });
});

describe("keyboard", () => {
  function key(k: string, target: HTMLElement, extra: Partial<KeyboardEventInit> = {}) {
    const e = new KeyboardEvent("keydown", { key: k, ...extra });
    Object.defineProperty(e, "target", { value: target });
    return e;
  }
  it("Enter saves, Esc cancels; not in a text area, a drop-down or while composing", () => {
    const save = vi.fn();
    const cancel = vi.fn();
    const on = formKeys(save, cancel);
    const input = document.createElement("input");
    const area = document.createElement("textarea");
    const select = document.createElement("div");
    select.className = "el-select";
    const inSelect = document.createElement("input");
    select.appendChild(inSelect);
    on(key("Enter", input));
    on(key("Enter", area));
    on(key("Enter", inSelect));
    on(key("Enter", input, { isComposing: true }));
    on(key("Escape", input));
    expect(save).toHaveBeenCalledTimes(1);
    expect(cancel).toHaveBeenCalledTimes(1);
  });
});

describe("office time", () => {
  it("times are read and written in UTC+8 whatever the PC's zone", () => {
    expect(fromLocalTime("2026-11-20 09:00")).toBe("2026-11-20T01:00:00Z");
    expect(cnTime("2026-11-20T01:00:00Z")).toBe("2026-11-20 09:00");
  });
});
