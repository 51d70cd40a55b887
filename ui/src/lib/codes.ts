// Labels and options of the model's code lists (generated from Rust: src/generated/codes.ts).
import { codes, type CodeList } from "@/generated/codes";

export type Option = { value: string; label: string };

export function label(list: CodeList, code: string | null | undefined): string {
  if (code == null) return "";
  const item = (codes[list].items as readonly { code: string; label: string }[]).find((i) => i.code === code);
  return item ? item.label : code;
}

export function options(list: CodeList, only?: readonly string[]): Option[] {
  const items = codes[list].items as readonly { code: string; label: string }[];
  return items.filter((i) => !only || only.includes(i.code)).map((i) => ({ value: i.code, label: i.label }));
}

export function title(list: CodeList): string {
  return codes[list].title;
}
