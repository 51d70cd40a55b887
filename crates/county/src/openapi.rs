//! The OpenAPI 3 document served at `/api/v1/openapi.json`, written by hand beside the
//! protocol types; `tests/http.rs` checks its schemas against what the types serialize.

use fengqiao_sync::protocol::{MAX_BATCH, MAX_BODY_BYTES, OLDEST_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION, SETTINGS_PARAM};
use serde_json::{json, Value};

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    })
}

fn ok_response(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

pub fn document() -> Value {
    let protocol_param = json!({
        "name": PROTOCOL_HEADER,
        "in": "header",
        "required": true,
        "description": format!(
            "客户端支持的协议版本，新的在前，逗号分隔（如“2, 1”）；服务器支持版本{OLDEST_PROTOCOL_VERSION}至{PROTOCOL_VERSION}，\
             采用其中最新的一个并在回复的同名头中写明；没有共同版本或缺少时返回426"
        ),
        "schema": { "type": "string", "example": PROTOCOL_VERSION.to_string() }
    });
    let encoding_param = json!({
        "name": "Content-Encoding",
        "in": "header",
        "required": false,
        "description": format!("请求体可用gzip压缩；解压后不得超过{MAX_BODY_BYTES}字节"),
        "schema": { "type": "string", "enum": ["gzip", "identity"] }
    });
    let uuid = json!({ "type": "string", "format": "uuid" });
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "枫桥县级服务器接口（fengqiao-county）",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "司法所设备与县司法局之间的同步协议，版本{PROTOCOL_VERSION}。设备先用一次性注册码注册，取得设备令牌，\
                 之后以 Authorization: Bearer 令牌 推送本所的变更、拉取本所其他设备和县司法局写入的变更，\
                 以及县司法局保存后统一下发的提醒周期和工作目标（拉取的settings，可选字段）。\
                 每批最多{MAX_BATCH}条变更；请求体解压后最多{MAX_BODY_BYTES}字节。所有错误返回ErrorBody（中文说明）。\
                 推送中不属于本所的记录（org_id不是设备所在司法所）逐条拒收（rejected，原因含“不属于本所”），\
                 不影响同批其他变更；拉取只返回设备所在司法所的变更。"
            )
        },
        "servers": [{ "url": "/" }],
        "paths": {
            "/api/v1/health": {
                "get": {
                    "operationId": "health",
                    "summary": "服务器与数据库是否正常",
                    "responses": {
                        "200": ok_response("正常", "Health"),
                        "503": error_response("数据库不可用")
                    }
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "本文档",
                    "responses": { "200": { "description": "OpenAPI 3 文档", "content": { "application/json": { "schema": { "type": "object" } } } } }
                }
            },
            "/api/v1/enroll": {
                "post": {
                    "operationId": "enroll",
                    "summary": "用一次性注册码注册设备，取得设备令牌",
                    "description": "注册码只能使用一次，过期失效。同一设备用新注册码再次注册到同一司法所时换发新令牌（旧令牌作废，停用状态解除）。",
                    "parameters": [protocol_param, encoding_param],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/EnrollRequest" } } } },
                    "responses": {
                        "200": ok_response("已注册", "EnrollResponse"),
                        "400": error_response("请求体不是有效的JSON或字段不正确"),
                        "401": error_response("注册码无效、已使用或已过期（code: invalid_enrollment_code）"),
                        "409": error_response("设备编号已登记在其他司法所（code: device_conflict），或本机数据所属司法所与注册码的司法所不一致（code: office_conflict）"),
                        "413": error_response("请求体过大"),
                        "415": error_response("不支持的Content-Encoding"),
                        "426": error_response("缺少或不支持的协议版本")
                    }
                }
            },
            "/api/v1/push": {
                "post": {
                    "operationId": "push",
                    "summary": "推送一批变更",
                    "description": "整批在一个事务中处理：同一change_id再次推送为duplicate（无效果）；其余按字段以HLC最后写入者为准合并后applied；永远无法接受的变更为rejected并附原因，不影响同批其他变更。",
                    "security": [{ "device": [] }],
                    "parameters": [protocol_param, encoding_param],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PushRequest" } } } },
                    "responses": {
                        "200": ok_response("每条变更的结果，顺序与请求相同", "PushResponse"),
                        "400": error_response("请求体不是有效的JSON或字段不正确"),
                        "401": error_response("缺少、无效或已停用的设备令牌"),
                        "413": error_response(&format!("请求体过大，或一批超过{MAX_BATCH}条变更")),
                        "415": error_response("不支持的Content-Encoding"),
                        "426": error_response("缺少或不支持的协议版本")
                    }
                }
            },
            "/api/v1/audit": {
                "post": {
                    "operationId": "pushAudit",
                    "summary": "发送本机审计日志中县司法局尚未保存的条目",
                    "description": "条目按seq从小到大；县司法局只接收接续其已保存的本设备哈希链的条目（seq连续、prev_hash等于上一条的hash、hash与内容相符），已保存的条目重复发送无效果。链接不上时整批拒收（409 audit_chain_broken），说明在哪一条断开：本机的审计日志在发送后被改动、删除或由备份恢复过。",
                    "security": [{ "device": [] }],
                    "parameters": [protocol_param, encoding_param],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AuditPushRequest" } } } },
                    "responses": {
                        "200": ok_response("县司法局现已保存到的本设备最后一条", "AuditPushResponse"),
                        "400": error_response("请求体不是有效的JSON或字段不正确"),
                        "401": error_response("缺少、无效或已停用的设备令牌"),
                        "409": error_response("条目接不上县司法局保存的哈希链（audit_chain_broken），或本设备的另一个请求正在写入（audit_busy）"),
                        "413": error_response(&format!("请求体过大，或一批超过{}条", fengqiao_sync::protocol::MAX_AUDIT_BATCH)),
                        "426": error_response("缺少或不支持的协议版本")
                    }
                }
            },
            "/api/v1/pull": {
                "get": {
                    "operationId": "pull",
                    "summary": "拉取本所其他设备和县司法局在游标之后写入的变更，以及县司法局统一设置的提醒周期和工作目标",
                    "description": "最后一页（more为false）在县司法局保存过设置、且设备没有用settings参数说明已有当前版本时附带settings；县司法局从未保存设置时不附带，各司法所沿用本所的提醒设置和默认目标。司法所收到后按其计算提醒和目标，本所不能再修改提醒设置。",
                    "security": [{ "device": [] }],
                    "parameters": [
                        protocol_param,
                        { "name": "since", "in": "query", "required": false, "description": "上次返回的next_cursor；首次为0（负数按0处理）", "schema": { "type": "integer", "format": "int64", "default": 0 } },
                        { "name": "limit", "in": "query", "required": false, "description": format!("每页最多条数，超出范围时取1到{MAX_BATCH}之间最接近的值"), "schema": { "type": "integer", "default": MAX_BATCH } },
                        { "name": SETTINGS_PARAM, "in": "query", "required": false, "description": "本机已有的县司法局设置的版本（上次收到的settings.version）；与县司法局当前设置的版本相同时最后一页不再附带settings，缺少时只要县司法局保存过设置就附带", "schema": { "type": "string", "maxLength": 64 } }
                    ],
                    "responses": {
                        "200": ok_response("一页变更，按服务器序号排列", "PullResponse"),
                        "400": error_response("查询参数不正确"),
                        "401": error_response("缺少、无效或已停用的设备令牌"),
                        "426": error_response("缺少或不支持的协议版本")
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "device": { "type": "http", "scheme": "bearer", "description": "注册时取得的设备令牌" }
            },
            "schemas": {
                "EnrollRequest": {
                    "type": "object",
                    "required": ["enrollment_code", "device_id", "device_name"],
                    "properties": {
                        "enrollment_code": { "type": "string", "description": "县司法局发放的一次性注册码，如 K7QX-M2PA-9DHT-WE4C（不区分大小写和分隔符）" },
                        "device_id": { "type": "string", "format": "uuid", "description": "设备自己生成的编号（本地库的device_id）" },
                        "device_name": { "type": "string", "maxLength": 100, "description": "设备名称，如计算机名" },
                        "office_id": { "type": "string", "format": "uuid", "nullable": true, "description": "本机数据已有的司法所编号（本地库的office_id，记录的org_id）；新装无数据时为null。该所首次注册时县司法局把该所绑定到此编号；之后编号不同的设备被拒（409 office_conflict），为null的设备从响应中取得已绑定的编号" }
                    }
                },
                "EnrollResponse": {
                    "type": "object",
                    "required": ["office_id", "office_name", "division_code", "device_token"],
                    "properties": {
                        "office_id": { "type": "string", "format": "uuid", "description": "记录所带的司法所编号（org_id），首次注册时绑定" },
                        "office_name": { "type": "string" },
                        "division_code": { "type": "string" },
                        "device_token": { "type": "string", "description": "设备令牌；服务器只保存其SHA-256" }
                    }
                },
                "Change": {
                    "type": "object",
                    "required": ["change_id", "kind", "record_id", "op", "version", "data", "changed_fields", "hlc", "device_id", "created_at"],
                    "properties": {
                        "change_id": { "type": "string", "format": "uuid", "description": "设备生成，幂等键" },
                        "kind": { "type": "string", "description": "记录类别代码，如dispute_case" },
                        "record_id": uuid,
                        "op": { "type": "string", "enum": ["upsert", "delete"] },
                        "version": { "type": "integer", "format": "int64" },
                        "data": { "type": "object", "description": "变更后的完整记录（domain.md字段名）；data.id须等于record_id，data.org_id须为设备所在司法所", "additionalProperties": true },
                        "changed_fields": { "type": "array", "items": { "type": "string" }, "description": "本次变更的字段，须都在data中" },
                        "hlc": { "type": "string", "pattern": "^[0-9]{15,}-[0-9]{6,}-[0-9a-f-]{36}$", "description": "混合逻辑时钟：毫秒-计数-设备编号" },
                        "device_id": uuid,
                        "created_at": { "type": "string", "format": "date-time" }
                    }
                },
                "PushRequest": {
                    "type": "object",
                    "required": ["changes"],
                    "properties": { "changes": { "type": "array", "maxItems": MAX_BATCH, "items": { "$ref": "#/components/schemas/Change" } } }
                },
                "AuditPushRequest": {
                    "type": "object",
                    "required": ["entries"],
                    "properties": { "entries": { "type": "array", "maxItems": fengqiao_sync::protocol::MAX_AUDIT_BATCH, "items": { "$ref": "#/components/schemas/AuditEntry" } } }
                },
                "AuditEntry": {
                    "type": "object",
                    "required": ["seq", "at", "actor", "device_id", "action", "kind", "record_id", "summary", "detail", "prev_hash", "hash"],
                    "properties": {
                        "seq": { "type": "integer", "format": "int64", "minimum": 1 },
                        "at": { "type": "string" },
                        "actor": { "type": "string" },
                        "device_id": { "type": "string" },
                        "action": { "type": "string" },
                        "kind": { "type": ["string", "null"] },
                        "record_id": { "type": ["string", "null"] },
                        "summary": { "type": "string" },
                        "detail": { "type": ["string", "null"] },
                        "prev_hash": { "type": "string", "description": "上一条的hash，第一条为64个0" },
                        "hash": { "type": "string", "description": "SHA-256(prev_hash ‖ JSON数组[seq, at, actor, device_id, action, kind, record_id, summary, detail])，小写十六进制" }
                    }
                },
                "AuditPushResponse": {
                    "type": "object",
                    "required": ["held_through"],
                    "properties": { "held_through": { "type": "integer", "format": "int64", "description": "县司法局现已保存到的本设备最后一条的seq（0为没有）" } }
                },
                "PushResult": {
                    "type": "object",
                    "required": ["change_id", "status"],
                    "properties": {
                        "change_id": uuid,
                        "status": { "type": "string", "enum": ["applied", "duplicate", "rejected"] },
                        "reason": { "type": "string", "description": "rejected时的中文原因" }
                    }
                },
                "PushResponse": {
                    "type": "object",
                    "required": ["results"],
                    "properties": { "results": { "type": "array", "items": { "$ref": "#/components/schemas/PushResult" } } }
                },
                "PullResponse": {
                    "type": "object",
                    "required": ["changes", "next_cursor", "more"],
                    "properties": {
                        "changes": { "type": "array", "items": { "$ref": "#/components/schemas/Change" } },
                        "next_cursor": { "type": "integer", "format": "int64", "description": "下次作为since传入" },
                        "more": { "type": "boolean", "description": "之后还有变更" },
                        "settings": { "$ref": "#/components/schemas/CountyPolicy" }
                    }
                },
                "Health": {
                    "type": "object",
                    "required": ["status", "protocol", "version"],
                    "properties": {
                        "status": { "type": "string", "enum": ["ok"] },
                        "protocol": { "type": "integer" },
                        "version": { "type": "string" }
                    }
                },
                "ErrorBody": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "description": "机器可读，如unauthorized、bad_request、too_large、unsupported_protocol" },
                        "message": { "type": "string", "description": "中文说明" }
                    }
                }
            }
        }
    });
    if let (Some(schemas), Value::Object(more)) = (doc["components"]["schemas"].as_object_mut(), settings_schemas()) {
        schemas.extend(more);
    }
    crate::dashboard::openapi::extend(&mut doc);
    doc
}

/// The schemas of the county's settings a pull may carry (`PullResponse.settings`).
fn settings_schemas() -> Value {
    let days = |d: &str| json!({ "type": "integer", "minimum": 0, "maximum": 3660, "description": d });
    let period = |d: &str| json!({ "type": "string", "enum": ["weekly", "ten_days", "half_month", "monthly", "quarterly"], "description": d });
    let rate = |d: &str| json!({ "type": "number", "minimum": 0, "maximum": 1, "nullable": true, "description": d });
    json!({
        "CountyPolicy": {
            "type": "object",
            "description": "县司法局为各司法所统一设置的提醒周期和工作目标（只在最后一页、版本与设备已有的不同时附带）",
            "required": ["version", "county_name", "reminders", "targets"],
            "properties": {
                "version": { "type": "string", "description": "内容的哈希（16位十六进制），内容改变时才改变；下次拉取时作为settings参数传回" },
                "county_name": { "type": "string", "description": "县司法局名称，如“东山县司法局”" },
                "reminders": { "$ref": "#/components/schemas/ReminderSettings" },
                "targets": { "$ref": "#/components/schemas/Targets" }
            }
        },
        "ReminderSettings": {
            "type": "object",
            "description": "各项提醒的周期和提前天数（domain.md §3.2、§3.5、§3.6）；读取时缺少的字段取默认值、未知字段忽略",
            "required": [
                "mediation_warn_days", "mediation_days", "jc_warn_from_day", "performance_warn_days", "return_visit_days",
                "immediate_return_visit_days", "return_visit_warn_days", "help_visit_key_months", "help_visit_general_months",
                "help_visit_warn_days", "help_period_warn_days", "handover_notify_days", "handover_collect_days",
                "handover_first_visit_days", "handover_file_days", "handover_hukou_days", "handover_warn_days",
                "screening_village_period", "screening_township_period", "screening_deadline_days", "screening_warn_days",
                "screening_lookback_days", "reports", "report_warn_days", "report_overdue_days"
            ],
            "properties": {
                "mediation_warn_days": days("受理后第几天提醒调解期限（默认25）"),
                "mediation_days": days("调解期限，天（默认30）"),
                "jc_warn_from_day": days("协议生效后第几天提醒申请司法确认（默认20）"),
                "performance_warn_days": days("履行期限提前提醒，天"),
                "return_visit_days": days("履行期限后多少天内回访"),
                "immediate_return_visit_days": days("即时履行后多少天内回访"),
                "return_visit_warn_days": days("回访提前提醒，天"),
                "help_visit_key_months": { "type": "integer", "minimum": 1, "maximum": 24, "description": "重点帮教人员走访间隔，月（默认1）" },
                "help_visit_general_months": { "type": "integer", "minimum": 1, "maximum": 24, "description": "一般帮教人员走访间隔，月（默认3）" },
                "help_visit_warn_days": days("帮教走访提前提醒，天"),
                "help_period_warn_days": days("帮教期满提前提醒，天"),
                "handover_notify_days": days("收到通知书后多少天内通知村(居)和家属"),
                "handover_collect_days": days("释放后多少天内衔接接回"),
                "handover_first_visit_days": days("回归后多少天内首次走访"),
                "handover_file_days": days("回归后多少天内建档和签帮教协议"),
                "handover_hukou_days": days("释放后多少天内户籍登记"),
                "handover_warn_days": days("衔接各环节提前提醒，天"),
                "screening_village_period": period("村(居)排查频次（默认每半月）"),
                "screening_township_period": period("乡镇(街道)排查频次（默认每月）"),
                "screening_deadline_days": days("排查周期结束后多少天内报送"),
                "screening_warn_days": days("排查报送提前提醒，天"),
                "screening_lookback_days": days("查找漏报排查的范围，天"),
                "reports": { "type": "array", "items": { "$ref": "#/components/schemas/ReportDeadline" }, "description": "县司法局报表日历" },
                "report_warn_days": days("报表报送提前提醒，天"),
                "report_overdue_days": days("报表逾期后继续提醒，天")
            }
        },
        "ReportDeadline": {
            "type": "object",
            "required": ["code", "name", "month", "day", "covers"],
            "properties": {
                "code": { "type": "string", "description": "报表代码，提醒编号的一部分" },
                "name": { "type": "string", "description": "如“安置帮教工作半年报告”" },
                "month": { "type": "integer", "minimum": 1, "maximum": 12 },
                "day": { "type": "integer", "minimum": 1, "maximum": 31 },
                "covers": { "type": "string", "enum": ["first_half", "previous_year"], "description": "当年上半年或上一年度" }
            }
        },
        "Targets": {
            "type": "object",
            "description": "工作指标的目标（0到1的比例，null为不设目标）；司法所的统计报表和工作台按其显示是否达标",
            "required": [
                "mediation_success", "performance", "screening_handled", "screening_success", "screening_success_base",
                "handover", "must_escort", "resettlement", "help", "reoffense_below"
            ],
            "properties": {
                "mediation_success": rate("调解成功率不低于"),
                "performance": rate("协议履行率不低于"),
                "screening_handled": rate("排查调处率不低于"),
                "screening_success": rate("排查成功率不低于"),
                "screening_success_base": { "type": "string", "enum": ["found", "handled"], "description": "排查成功率的分母：排查数（found）或调处数（handled）" },
                "handover": rate("衔接率不低于"),
                "must_escort": rate("必接必送率不低于"),
                "resettlement": rate("安置率不低于"),
                "help": rate("帮教率不低于"),
                "reoffense_below": rate("重新犯罪率低于")
            }
        }
    })
}
