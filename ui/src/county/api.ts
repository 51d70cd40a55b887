// The county dashboard's API (/api/v1/dashboard/…): JSON over fetch with the session cookie.
// A refused request throws an ApiError carrying the server's Chinese message.
import { reactive } from "vue";

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Me = { name: string; role: "admin" | "viewer"; role_label: string };

/** Who is signed in (null until known or after sign-out). */
export const session = reactive<{ me: Me | null; checked: boolean }>({ me: null, checked: false });

const BASE = "/api/v1/dashboard";

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${BASE}${path}`, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401 && path !== "/session") session.me = null;
    throw new ApiError(res.status, data?.code ?? "error", data?.message ?? `请求失败（${res.status}）`);
  }
  return data as T;
}

export const get = <T>(path: string) => call<T>("GET", path);

export function query(params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export async function checkSession(): Promise<void> {
  try {
    session.me = await get<Me>("/session");
  } catch {
    session.me = null;
  }
  session.checked = true;
}

export async function signIn(name: string, password: string): Promise<void> {
  session.me = await call<Me>("POST", "/session", { name, password });
}

export async function signOut(): Promise<void> {
  await call("DELETE", "/session");
  session.me = null;
}

export type Rate = {
  label: string;
  formula: string;
  numerator: number;
  denominator: number;
  value: number | null;
  target: number | null;
  better: "higher" | "lower";
  meets_target: boolean | null;
  /** Its drill-down (`rate:CODE`), in the county's figures. */
  figure?: string | null;
};
export type Count = { code: string; label: string; group?: string; count: number };
export type OfficeRow = {
  id: string;
  name: string;
  division_code: string;
  devices: number;
  revoked_devices: number;
  last_sync_at: string | null;
  changes: number;
  undelivered: number;
  rejected: number;
  silent: boolean;
  days_since_sync: number | null;
};
export type Figures = {
  from: string;
  to: string;
  office: string | null;
  cases: number;
  party_count: number;
  success: number;
  difficult: number;
  amount_cents: number;
  amount_wan: string;
  screening_rounds: number;
  by_type: Count[];
  by_source: Count[];
  by_month: { month: string; cases: number; success: number }[];
  rates: Rate[];
  per_office: { office_id: string; name: string; cases: number; success: number; difficult: number; amount_wan: string; rates: Rate[] }[];
};
export type DrillRow = {
  office_id: string;
  office_name: string;
  id: string;
  case_no: string | null;
  title: string | null;
  accepted_on: string | null;
  dispute_type: string | null;
  source: string | null;
  status: string;
  result: string | null;
  difficult: boolean;
  amount_cents: number | null;
  parties: string;
  /** In the drill-down of 涉及当事人. */
  party_count?: number;
  /** In the drill-down of a rate: counted in its numerator. */
  in_numerator?: boolean;
};
export type AgreementDrillRow = {
  office_id: string;
  office_name: string;
  id: string;
  case_id: string;
  case_no: string | null;
  title: string | null;
  accepted_on: string | null;
  agreement_no: string | null;
  form: string | null;
  effective_on: string | null;
  performance_status: string | null;
  in_numerator?: boolean;
};
export type ItemDrillRow = {
  office_id: string;
  office_name: string;
  id: string;
  unit: string | null;
  found_on: string | null;
  place: string | null;
  party_summary: string | null;
  summary: string | null;
  dispute_type: string | null;
  risk_level: string | null;
  status: string | null;
  resolved_on: string | null;
  in_numerator?: boolean;
};
export type RoundDrillRow = {
  office_id: string;
  office_name: string;
  id: string;
  unit: string | null;
  period_type: string | null;
  period_start: string | null;
  period_end: string | null;
  screened_on: string | null;
  items: number;
  zero_report: boolean;
};
export type PersonDrillRow = {
  office_id: string;
  office_name: string;
  id: string;
  name: string | null;
  released_on: string | null;
  assessment: string | null;
  handover_status: string | null;
  handed_over: boolean;
  handover_method: string | null;
  help_status: string | null;
  help_period_start: string | null;
  help_period_end: string | null;
  resettled_on: string | null;
  reoffense_on: string | null;
  help_group?: boolean;
  in_numerator?: boolean;
};
/** One page of a drill-down (`GET /drill?figure=…&page=…&page_size=…`) and the counts of every page. */
export type DrillPage = {
  total: number;
  in_numerator: number;
  party_count: number;
  amount_cents: number;
  page: number;
  page_size: number;
  rows: Record<string, any>[];
};
/** What a drill-down lists: cases, agreements, 排查 items, 排查 rounds or released persons. */
export type DrillKind = "cases" | "agreements" | "items" | "rounds" | "persons";

/** The records of a figure (`GET /drill?figure=…`): the kind its rows are. */
export function drillKind(figure: string): DrillKind {
  if (figure === "rounds") return "rounds";
  const rate = /^rate:([a-z_]+)/.exec(figure)?.[1];
  if (!rate || rate === "mediation_success") return "cases";
  if (rate === "performance") return "agreements";
  if (rate.startsWith("screening_")) return "items";
  return "persons";
}
