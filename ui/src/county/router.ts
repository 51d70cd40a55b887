import { createRouter, createWebHashHistory } from "vue-router";

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: "/", redirect: "/offices" },
    { path: "/login", component: () => import("./views/Login.vue"), meta: { title: "登录", public: true } },
    { path: "/offices", component: () => import("./views/Offices.vue"), meta: { title: "司法所" } },
    { path: "/figures", component: () => import("./views/Figures.vue"), meta: { title: "统计" } },
    { path: "/compliance", component: () => import("./views/Compliance.vue"), meta: { title: "零报告" } },
    { path: "/late", component: () => import("./views/Late.vue"), meta: { title: "逾期事项" } },
    { path: "/rollup", component: () => import("./views/Rollup.vue"), meta: { title: "统计表汇总" } },
    { path: "/notices", component: () => import("./views/Notice.vue"), meta: { title: "释放通知" } },
    { path: "/settings", component: () => import("./views/Settings.vue"), meta: { title: "设置" } },
    { path: "/audit", component: () => import("./views/Audit.vue"), meta: { title: "审计日志" } },
  ],
});
