//! The dashboard's part of the OpenAPI document: its paths under `/api/v1/dashboard/`, the
//! session cookie as a security scheme. Answers are described in words (their JSON is the
//! Serialize of the types in `dashboard`).

use serde_json::{json, Value};

/// (path, method, operationId, summary, admin only, query parameters)
type Operation = (&'static str, &'static str, &'static str, &'static str, bool, &'static [&'static str]);

const PATHS: &[Operation] = &[
    (
        "/api/v1/dashboard/session",
        "post",
        "signIn",
        "登录：账号和密码（JSON {name, password}），成功时设置会话Cookie（HttpOnly，SameSite=Strict，8小时）",
        false,
        &[],
    ),
    ("/api/v1/dashboard/session", "get", "me", "当前登录的账号和角色", false, &[]),
    ("/api/v1/dashboard/session", "delete", "signOut", "退出登录（会话在服务器上作废）", false, &[]),
    ("/api/v1/dashboard/offices", "get", "offices", "各司法所：最近同步、待下发和被拒收的变更、超过设定天数未同步的标记", false, &[]),
    ("/api/v1/dashboard/offices", "post", "addOffice", "登记司法所（JSON {name, division_code}），返回一次性注册码", true, &[]),
    ("/api/v1/dashboard/offices/{id}/rejections", "get", "rejections", "县局拒收的变更（该所搁置）及原因", false, &[]),
    (
        "/api/v1/dashboard/figures",
        "get",
        "figures",
        "全县或一个所在期间内的数字：按类型、来源、月份的案件，调解成功率、衔接率等指标（各所分子分母合计）",
        false,
        &["from", "to", "office"],
    ),
    (
        "/api/v1/dashboard/drill",
        "get",
        "drill",
        "一个数字背后的记录（只读），行数即该数字：figure为cases、success、difficult、amount（协议涉及金额，金额之和）、parties（涉及当事人，人数之和）、type:代码、source:代码、month:年-月（案件），rounds（排查纠纷：各次排查），或rate:指标代码（该指标分母的记录，in_numerator标出计入分子的；rate:指标代码:numerator只列分子），指标代码为mediation_success、performance、screening_handled、screening_success、handover、must_escort、resettlement、help、reoffense。按页返回：page从1开始，page_size为1至500（默认50）；total为总行数，in_numerator为计入分子的行数，party_count、amount_cents为期间内的涉及当事人和协议涉及金额，rows为本页各行（逐所列出，所内按日期）",
        false,
        &["from", "to", "office", "figure", "page", "page_size"],
    ),
    (
        "/api/v1/dashboard/drill/released",
        "get",
        "drillReleased",
        "衔接率、必接必送率背后的人员（只读）：期间内释放的人员及衔接情况",
        false,
        &["from", "to", "office"],
    ),
    (
        "/api/v1/dashboard/compliance",
        "get",
        "compliance",
        "零报告：单位×周期矩阵（有纠纷、零报告、未报零、缺报、未到期）",
        false,
        &["from", "to", "office"],
    ),
    (
        "/api/v1/dashboard/late",
        "get",
        "late",
        "逾期事项（截至今天）：groups为各类的条数，items为group一类的一页，逾期最久的在前。group为mediation（超过一个月未调结、未延期）、return_visit（回访逾期）、help_visit（帮教走访逾期，按帮教类别）、notice（释放通知未处理）、help_period（帮教期满未解除），默认mediation；page从1开始，page_size为1至500（默认50）",
        false,
        &["office", "group", "page", "page_size"],
    ),
    (
        "/api/v1/dashboard/rollup",
        "get",
        "rollup",
        "人民调解案件情况统计表汇总：每所一行、下级上报总计、本级上报总计及一致性校验",
        false,
        &["from", "to"],
    ),
    ("/api/v1/dashboard/rollup.xlsx", "get", "rollupXlsx", "统计表汇总（Excel）", false, &["from", "to"]),
    ("/api/v1/dashboard/rollup.pdf", "get", "rollupPdf", "统计表汇总（PDF）", false, &["from", "to"]),
    ("/api/v1/dashboard/calendar", "get", "calendar", "报表日历：各报表的报送期限", false, &[]),
    ("/api/v1/dashboard/settings", "get", "settings", "县局设置：失联天数、排查频次、帮教走访频次、报表日历、工作目标", false, &[]),
    ("/api/v1/dashboard/settings", "put", "putSettings", "保存县局设置", true, &[]),
    ("/api/v1/dashboard/notices", "post", "addNotice", "下发刑满释放人员通知书（即 notice add）", true, &[]),
    (
        "/api/v1/dashboard/audit",
        "get",
        "auditLog",
        "县局审计日志（最新在前）：登录、登录失败与锁定、退出、导出、登记司法所、下发通知书、修改设置等，含操作人和客户端地址",
        true,
        &["limit"],
    ),
];

fn param(name: &str) -> Value {
    let (desc, schema) = match name {
        "from" => ("开始日期（含），默认今年1月1日", json!({ "type": "string", "format": "date" })),
        "to" => ("结束日期（含），默认今天", json!({ "type": "string", "format": "date" })),
        "office" => ("司法所编号；不给为全县", json!({ "type": "string", "format": "uuid" })),
        "limit" => ("最多返回的条数，1到1000，默认100", json!({ "type": "integer", "minimum": 1, "maximum": 1000 })),
        "page" => ("页码，从1开始，默认1", json!({ "type": "integer", "minimum": 1 })),
        "group" => (
            "逾期事项的类别，默认mediation",
            json!({ "type": "string", "enum": super::LATE_GROUPS.iter().map(|(code, _, _)| *code).collect::<Vec<_>>() }),
        ),
        "page_size" => ("每页条数，1到500，默认50", json!({ "type": "integer", "minimum": 1, "maximum": 500 })),
        _ => ("统计项，默认cases", json!({ "type": "string" })),
    };
    json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": schema })
}

/// Adds the dashboard's paths and the session scheme to the document.
pub fn extend(doc: &mut Value) {
    let err = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } } });
    for (path, method, id, summary, admin, params) in PATHS {
        let mut responses = json!({ "200": { "description": "成功" }, "400": err("参数不正确"), "401": err("未登录或登录已过期") });
        if *admin {
            responses["403"] = err("查看账号无权进行此操作");
        }
        if *id == "signIn" {
            responses["429"] = err("该账号或地址15分钟内登录失败次数过多，暂时锁定");
        }
        if *id == "signOut" {
            responses["204"] = json!({ "description": "已退出" });
        }
        let mut op = json!({
            "operationId": id,
            "summary": summary,
            "tags": ["县局管理界面"],
            "parameters": params.iter().map(|p| param(p)).collect::<Vec<_>>(),
            "responses": responses,
        });
        if *id != "signIn" {
            op["security"] = json!([{ "session": [] }]);
        }
        doc["paths"][path][method] = op;
    }
    doc["components"]["securitySchemes"]["session"] =
        json!({ "type": "apiKey", "in": "cookie", "name": crate::accounts::COOKIE, "description": "登录后设置的会话Cookie" });
}
