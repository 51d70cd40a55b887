import { createRouter, createWebHashHistory } from "vue-router";

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: "/", redirect: "/dashboard" },
    { path: "/dashboard", component: () => import("./views/Dashboard.vue"), meta: { title: "工作台" } },
    { path: "/cases", component: () => import("./views/Ledger.vue"), meta: { title: "纠纷台账" } },
    { path: "/cases/new", component: () => import("./views/NewCase.vue"), meta: { title: "登记纠纷" } },
    { path: "/cases/:id", component: () => import("./views/CaseFile.vue"), props: true, meta: { title: "案件卷宗" } },
    { path: "/screening", component: () => import("./views/Screening.vue"), meta: { title: "排查记录" } },
    { path: "/released", component: () => import("./views/Released.vue"), meta: { title: "安置帮教" } },
    { path: "/released/:id", component: () => import("./views/ReleasedFile.vue"), props: true, meta: { title: "帮教档案" } },
    { path: "/statistics", component: () => import("./views/Statistics.vue"), meta: { title: "统计报表" } },
    { path: "/reminders", component: () => import("./views/Reminders.vue"), meta: { title: "到期提醒" } },
    { path: "/settings", component: () => import("./views/Settings.vue"), meta: { title: "设置" } },
    { path: "/about", component: () => import("./views/About.vue"), meta: { title: "关于" } },
    { path: "/audit", component: () => import("./views/AuditLog.vue"), meta: { title: "审计日志" } },
    { path: "/sync", component: () => import("./views/Sync.vue"), meta: { title: "同步" } },
  ],
});
