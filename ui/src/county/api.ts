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
};
