// 打印: the catalogue of printable documents (from Rust, fetched once) and the default period.
import { api } from "@/api";
import type { PrintableDocument } from "@/generated/PrintableDocument";

let catalogue: Promise<PrintableDocument[]> | null = null;

/** The documents made from one kind of record (`case`, `released`, `round`) or from a period. */
export async function printableDocuments(input: PrintableDocument["input"]): Promise<PrintableDocument[]> {
  catalogue ??= api.printDocuments().catch((e) => {
    catalogue = null;
    throw e;
  });
  return (await catalogue).filter((d) => d.input === input);
}

/** `[first day, last day]` of the month of `today` (YYYY-MM-DD), the period printed by default. */
export function monthOf(today: string): [string, string] {
  const [y, m] = today.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, "0");
  return [`${y}-${mm}-01`, `${y}-${mm}-${String(last).padStart(2, "0")}`];
}
