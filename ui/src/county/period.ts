// The period picker's state, shared by the pages (kept while moving between them).
import { reactive } from "vue";
import { officeToday } from "@/lib/format";

const today = officeToday();
export const period = reactive<{ range: [string, string]; office: string | null }>({
  range: [`${today.slice(0, 4)}-01-01`, today],
  office: null,
});

/** Quick choices: this year, last year, 上半年, this month. */
export function shortcuts() {
  const y = Number(today.slice(0, 4));
  return [
    { text: "今年", value: () => [new Date(`${y}-01-01`), new Date(today)] },
    { text: "去年", value: () => [new Date(`${y - 1}-01-01`), new Date(`${y - 1}-12-31`)] },
    { text: "今年上半年", value: () => [new Date(`${y}-01-01`), new Date(`${y}-06-30`)] },
    { text: "本月", value: () => [new Date(`${today.slice(0, 7)}-01`), new Date(today)] },
  ];
}
