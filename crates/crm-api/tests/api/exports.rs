//! Exports: who may export at all (`data.export`), that a file holds exactly what its reader could
//! page through in the list, CSV injection written inert, XLSX read back, filters, refusals and
//! the audit entry.

use crate::api_test;
use crate::support::{TestApp, enc};
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

/// Gives `users` an extra role holding only `data.export` (scope `self`, so their own scope is
/// what decides what they see).
async fn grant_export(app: &TestApp, users: &[&str]) {
    let admin = app.login("admin").await;
    let role = app
        .post(
            "/roles",
            &admin,
            json!({"name": "导出", "permissions": ["data.export"], "data_scope": "self"}),
        )
        .await
        .expect(201);
    for who in users {
        let id = app.user_id(&admin, who).await;
        let user = app.get(&format!("/users/{id}"), &admin).await.expect(200);
        let mut roles: Vec<Value> = user["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect();
        roles.push(role["id"].clone());
        app.patch(
            &format!("/users/{id}"),
            &admin,
            json!({"role_ids": roles, "version": user["version"]}),
        )
        .await
        .expect(200);
    }
}

/// An export as text (CSV), with its status.
pub(crate) async fn csv(app: &TestApp, path: &str, token: &str) -> (u16, String) {
    let (status, headers, bytes) = app.download(path, token).await;
    if status == 200 {
        let kind = headers["content-type"].to_str().unwrap();
        assert!(kind.starts_with("text/csv"), "{kind}");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(disposition.contains(".csv"), "{disposition}");
    }
    (status.as_u16(), String::from_utf8(bytes).unwrap())
}

/// The rows of an XLSX export's first sheet.
pub(crate) async fn xlsx(app: &TestApp, path: &str, token: &str) -> Vec<Vec<Data>> {
    let (status, headers, bytes) = app.download(path, token).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet.rows().map(|r| r.to_vec()).collect()
}

api_test!(
    an_export_holds_what_its_reader_may_see_and_needs_the_permission,
    |app| {
        let owner = app.login("s1_a").await;
        let customer = app
            .post(
                "/customers",
                &owner,
                json!({"name": "济南导出网络科技有限公司", "phone": "0531-8123 4567"}),
            )
            .await
            .expect(201);
        let id = customer["id"].as_i64().unwrap();
        app.post(
            &format!("/customers/{id}/contacts"),
            &owner,
            json!({"name": "孙导出", "mobile": "13811112222", "is_key": true}),
        )
        .await
        .expect(201);
        let types = app
            .get("/dictionaries/activity_type", &owner)
            .await
            .expect(200);
        app.post(
        "/activities",
        &owner,
        json!({"customer_id": id, "type_id": types[0]["id"], "occurred_at": "2026-11-30T02:00:00Z",
               "summary": "上门介绍导出方案"}),
    )
    .await
    .expect(201);

        // Salespeople may not take the customer list with them.
        for who in ["s1_a", "s1_b", "s2_a"] {
            let t = app.login(who).await;
            for kind in [
                "customers",
                "contacts",
                "orders",
                "activities",
                "receivables",
            ] {
                let res = app.get(&format!("/exports/{kind}"), &t).await;
                assert_eq!(res.problem(403), "forbidden", "{who} {kind}");
            }
        }
        // Nor may an administrator, who reads no customers: both permissions are needed.
        let admin = app.login("admin").await;
        let refused = app.get("/exports/customers", &admin).await;
        let detail = refused.body["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(refused.problem(403), "forbidden");
        assert!(
            detail.contains("`data.export` 和 `customer.read`"),
            "{detail}"
        );

        grant_export(app, &["s1_a", "s1_b", "s2_a"]).await;
        // (who, sees it)
        let matrix = [
            ("s1_a", true),      // the owner
            ("s1_b", false),     // a peer in the same department (scope self)
            ("s2_a", false),     // a user in another department
            ("s1_mgr", true),    // the manager above
            ("sales_dir", true), // the director above that
            ("s2_mgr", false),   // the manager of a sibling department
            ("gm", true),        // scope all
            ("fin_a", true),     // finance: scope all
        ];
        for (who, sees) in matrix {
            let t = app.login(who).await;
            let (status, customers) = csv(app, "/exports/customers", &t).await;
            assert_eq!(status, 200, "{who}: {customers}");
            assert!(customers.starts_with('\u{feff}'), "a byte-order mark");
            assert_eq!(
                customers.contains("济南导出网络科技有限公司"),
                sees,
                "{who}: {customers}"
            );
            let (status, contacts) = csv(app, "/exports/contacts", &t).await;
            assert_eq!(status, 200, "{who}");
            assert_eq!(contacts.contains("孙导出"), sees, "{who}: {contacts}");
            assert_eq!(contacts.contains("13811112222"), sees, "{who}");
            if who != "fin_a" {
                let (status, activities) = csv(app, "/exports/activities", &t).await;
                assert_eq!(status, 200, "{who}");
                assert_eq!(activities.contains("上门介绍导出方案"), sees, "{who}");
            }
            // The export and the list agree, row for row.
            let listed = app.every_page(&t, "/customers?limit=200", "id").await.len();
            let rows = customers.lines().count() - 1;
            assert_eq!(rows, listed, "{who}");
        }
        // Finance reads no activities: the list's own permission still decides.
        let fin = app.login("fin_a").await;
        let res = app.get("/exports/activities", &fin).await;
        assert_eq!(res.problem(403), "forbidden");

        // Every export is in the audit log: who, what, how many rows.
        let log = app
            .get("/audit-log?entity=export&limit=200", &admin)
            .await
            .expect(200);
        let exports: Vec<&Value> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["action"] == "export" && x["changes"]["kind"] == "customers")
            .collect();
        assert_eq!(exports.len(), 8, "{log}");
        let s1_a = app.user_id(&admin, "s1_a").await;
        let mine = exports
            .iter()
            .find(|x| x["user"]["id"] == s1_a)
            .expect("s1_a's export");
        assert_eq!(mine["changes"]["rows"], 1, "{mine}");
        assert_eq!(mine["changes"]["format"], "csv");
        assert_eq!(mine["changes"]["complete"], true);
    }
);

api_test!(cells_a_spreadsheet_would_run_are_written_inert, |app| {
    let owner = app.login("s1_a").await;
    grant_export(app, &["s1_a"]).await;
    let name = "=HYPERLINK(\"http://evil.example\",\"点我\")";
    let customer = app
        .post(
            "/customers",
            &owner,
            json!({"name": name, "notes": "@SUM(1+1)"}),
        )
        .await
        .expect(201);
    let (status, text) = csv(app, "/exports/customers", &owner).await;
    assert_eq!(status, 200);
    let line = text
        .lines()
        .find(|l| l.contains("HYPERLINK"))
        .expect("the row");
    assert!(
        line.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\""),
        "{line}"
    );
    assert!(line.ends_with(",'@SUM(1+1)"), "{line}");

    // In a workbook the same text is a string cell, never a formula; money is a number.
    let rows = xlsx(app, "/exports/customers?format=xlsx", &owner).await;
    assert_eq!(rows[0][0], Data::String("编号".into()));
    assert_eq!(rows[0][1], Data::String("客户名称".into()));
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[1][0],
        Data::Float(customer["id"].as_i64().unwrap() as f64)
    );
    assert_eq!(rows[1][1], Data::String(name.into()));
    assert_eq!(rows[1][4], Data::String("一般客户".into()));
    assert_eq!(rows[1][15], Data::Float(0.0));
    assert!(
        matches!(rows[1][17], Data::DateTime(_)),
        "{:?}",
        rows[1][17]
    );
});

api_test!(
    an_export_takes_the_lists_filters_and_refuses_paging,
    |app| {
        let gm = app.login("gm").await;
        let s1 = app.login("s1_a").await;
        let s2 = app.login("s2_a").await;
        for (t, name) in [(&s1, "青岛甲导出有限公司"), (&s2, "烟台乙导出有限公司")]
        {
            app.post("/customers", t, json!({"name": name}))
                .await
                .expect(201);
        }
        let s1_id = app.user_id(&app.login("admin").await, "s1_a").await;
        let (status, text) = csv(app, &format!("/exports/customers?owner_id={s1_id}"), &gm).await;
        assert_eq!(status, 200);
        assert!(text.contains("青岛甲导出有限公司"), "{text}");
        assert!(!text.contains("烟台乙导出有限公司"), "{text}");
        let (_, text) = csv(app, &format!("/exports/customers?q={}", enc("烟台乙")), &gm).await;
        assert!(
            text.contains("烟台乙导出有限公司") && !text.contains("青岛甲"),
            "{text}"
        );
        let (_, text) = csv(app, "/exports/customers?level=signed", &gm).await;
        assert_eq!(text.lines().count(), 1, "only the header: {text}");

        // English headers for a reader who reads English.
        let res = app
            .client
            .get(format!("{}/exports/customers?format=csv", app.base))
            .bearer_auth(&gm)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        let text = res.text().await.unwrap();
        assert!(
            text.starts_with("\u{feff}ID,Name,Short name,Type,Level"),
            "{text}"
        );
        assert!(text.contains(",Lead,"), "{text}");

        for (query, code) in [
            ("limit=10", "invalid_query"),
            ("cursor=abc", "invalid_query"),
            ("format=pdf", "invalid_query"),
            ("level=vip", "invalid_query"),
            ("colour=blue", "invalid_query"),
        ] {
            let res = app.get(&format!("/exports/customers?{query}"), &gm).await;
            assert_eq!(res.problem(400), code, "{query}");
        }
    }
);

api_test!(orders_and_receivables_export_with_their_money, |app| {
    let owner = app.login("s1_a").await;
    let due = crate::support::company_day(-40);
    let order =
        crate::orders::signed_order(app, "s1_a", "潍坊导出订单有限公司", "1234.50", due).await;
    let fin = app.login("fin_a").await;
    let (status, text) = csv(app, "/exports/orders", &fin).await;
    assert_eq!(status, 200);
    let number = order["number"].as_str().unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(number))
        .expect("the order");
    assert!(line.contains("潍坊导出订单有限公司"), "{line}");
    assert!(line.contains(",已签约,"), "{line}");
    assert!(line.contains(",1234.50,0.00,1234.50,"), "{line}");
    assert!(line.contains("× 1"), "{line}");

    let rows = xlsx(app, "/exports/receivables?format=xlsx&overdue=true", &fin).await;
    assert_eq!(rows[0][0], Data::String("订单号".into()));
    let row = rows
        .iter()
        .find(|r| r[0] == Data::String(number.into()))
        .expect("the receivable");
    assert_eq!(row[5], Data::Float(1234.5));
    assert_eq!(row[7], Data::Float(1234.5));
    assert_eq!(row[8], Data::Float(40.0));
    assert_eq!(row[9], Data::String("逾期 31–60 天".into()));
    assert!(matches!(row[4], Data::DateTime(_)), "{:?}", row[4]);
    // The owner, a salesperson, may see the receivable but not export it.
    let res = app.get("/exports/receivables", &owner).await;
    assert_eq!(res.problem(403), "forbidden");
});
