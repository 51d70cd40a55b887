import { describe, it, expect, vi } from "vitest";
import { mount, flushPromises } from "@vue/test-utils";
import { h } from "vue";
import ElementPlus, { ElForm } from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";

const listRounds = vi.fn();
vi.mock("@/api", () => ({ api: { listRounds: (q: unknown) => listRounds(q) } }));
import UnitPicker from "@/components/UnitPicker.vue";

const row = (unit_name: string, unit_division_code: string | null) => ({ unit_name, unit_division_code });

function make(props = {}) {
  return mount(UnitPicker, {
    props: { name: null, code: null, ...props },
    global: { plugins: [[ElementPlus, { locale: zhCn }]] as any },
    attachTo: document.body,
  });
}

describe("UnitPicker", () => {
  it("suggests each earlier unit once, with its code", async () => {
    listRounds.mockResolvedValue({ rows: [row("东山村", "350502101201"), row("东山村", "350502101201"), row("西岭村", null)] });
    const w = make();
    const done = vi.fn();
    await (w.vm as any).$.setupState.suggest("村", done);
    expect(listRounds).toHaveBeenCalledWith(expect.objectContaining({ query: "村" }));
    expect(done).toHaveBeenCalledWith([
      { value: "东山村", code: "350502101201" },
      { value: "西岭村", code: null },
    ]);
  });

  it("fills the code when a unit is picked, and keeps a typed code when the unit has none", async () => {
    const w = make({ code: "350502101299" });
    (w.vm as any).$.setupState.pick({ value: "西岭村", code: null });
    await flushPromises();
    expect(w.emitted("update:name")?.at(-1)).toEqual(["西岭村"]);
    expect(w.emitted("update:code")).toBeUndefined();
    (w.vm as any).$.setupState.pick({ value: "东山村", code: "350502101201" });
    await flushPromises();
    expect(w.emitted("update:code")?.at(-1)).toEqual(["350502101201"]);
  });

  it("shows the model's messages next to the name and the code", async () => {
    const w = mount(
      { render: () => h(ElForm, null, () => h(UnitPicker, { nameError: "必须填写排查单位名称", codeError: "必须填写排查单位（机构或区划代码）" })) },
      { global: { plugins: [[ElementPlus, { locale: zhCn }]] as any }, attachTo: document.body },
    );
    // The message comes in with a transition: wait for it rather than for a fixed time.
    await vi.waitFor(
      () => expect(w.findAll(".el-form-item__error").map((e) => e.text())).toEqual(["必须填写排查单位名称", "必须填写排查单位（机构或区划代码）"]),
      { timeout: 3000, interval: 20 },
    );
  });

  it("offers nothing, without an error, when the store cannot be read", async () => {
    listRounds.mockRejectedValue({ code: "not_initialized", message: "尚未设置" });
    const w = make();
    const done = vi.fn();
    await (w.vm as any).$.setupState.suggest("", done);
    expect(done).toHaveBeenCalledWith([]);
  });
});
