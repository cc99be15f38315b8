//! Imports of customers and of contacts: every kind of refused row in a dry run (which creates
//! nothing), a real run in batches read while it runs, encodings (UTF-8 with and without a
//! byte-order mark, GB18030) and XLSX (formulas as their values), the templates read back, limits,
//! the importer's scope and who may read an import.

use crate::api_test;
use crate::support::{Res, TestApp};
use serde_json::{Value, json};

async fn import(app: &TestApp, token: &str, dry_run: bool, name: &str, bytes: Vec<u8>) -> Res {
    import_of(app, "customers", token, dry_run, name, bytes).await
}

async fn import_of(
    app: &TestApp,
    kind: &str,
    token: &str,
    dry_run: bool,
    name: &str,
    bytes: Vec<u8>,
) -> Res {
    app.form(
        "/imports",
        token,
        &[("kind", kind.into()), ("dry_run", dry_run.to_string())],
        Some((name, bytes)),
    )
    .await
}

/// `(row, field, code)` of every error.
fn errors(import: &Value) -> Vec<(u64, String, String)> {
    import["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Asserts that every `(row, field, code)` of `expected` is among the errors `found`.
fn refuses(found: &[(u64, String, String)], expected: &[(u64, &str, &str)]) {
    for (row, field, code) in expected {
        assert!(
            found.contains(&(*row, field.to_string(), code.to_string())),
            "row {row} {field} {code}: {found:?}"
        );
    }
}

/// The message of a row's (first) error.
fn message_of(import: &Value, row: u64) -> String {
    import["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["row"] == row)
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits for a real run to finish.
async fn finished(app: &TestApp, token: &str, id: i64) -> Value {
    for _ in 0..600 {
        let now = app.get(&format!("/imports/{id}"), token).await.expect(200);
        if now["status"] != "running" {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} still running");
}

async fn contacts_of(app: &TestApp, token: &str, customer: i64) -> Value {
    app.get(&format!("/customers/{customer}/contacts"), token)
        .await
        .expect(200)
}

async fn customer_count(app: &TestApp, token: &str) -> usize {
    app.every_page(token, "/customers?limit=200", "id")
        .await
        .len()
}

api_test!(
    a_dry_run_names_every_refused_row_and_creates_nothing,
    |app| {
        let manager = app.login("s1_mgr").await;
        // A customer of another department: protection looks past the importer's scope.
        let other = app.login("s2_a").await;
        app.post(
            "/customers",
            &other,
            json!({"name": "烟台海岸贸易有限公司", "phone": "0535-6666 1234"}),
        )
        .await
        .expect(201);
        let industries = app
            .get("/dictionaries/industry", &manager)
            .await
            .expect(200);
        let industry = industries[0]["name"].as_str().unwrap().to_string();
        let long = "长".repeat(101);
        let csv = format!(
            "客户名称,电话,行业,负责人,类型,编号\n\
         济南好行网络科技有限公司,0531-1111 2222,{industry},s1_b,客户,1\n\
         ,0531-0000 0001,,,,2\n\
         {long},,,,,3\n\
         青岛无此行业有限公司,,无此行业,,,4\n\
         淄博同名负责人有限公司,,,业务员,,5\n\
         潍坊无此人有限公司,,,nobody,,6\n\
         烟台越权有限公司,,,s2_a,,7\n\
         威海怪类型有限公司,,,,星际,8\n\
         日照重复电话有限公司,0531 1111 2222,,,,9\n\
         烟台海岸贸易有限公司,,,,,10\n\
         ,,,,,\n\
         临沂好客户有限公司,,,,合作伙伴,12\n"
        );
        let before = customer_count(app, &manager).await;
        let res = import(app, &manager, true, "客户.csv", csv.into_bytes()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let result = res.body;
        assert_eq!(result["dry_run"], true);
        assert_eq!(result["status"], "done");
        assert_eq!(result["total"], 11, "the empty row is not a row");
        assert_eq!(result["valid"], 2, "{result}");
        assert_eq!(result["created"], 0);
        assert_eq!(result["unknown_columns"], json!(["编号"]));
        let found = errors(&result);
        let expect = [
            (3, "name", "length"),
            (4, "name", "length"),
            (5, "industry", "not_found"),
            (6, "owner", "ambiguous"),
            (7, "owner", "not_found"),
            (8, "owner", "out_of_scope"),
            (9, "type", "one_of"),
            (10, "phone", "duplicate_customer"),
            (11, "name", "duplicate_customer"),
        ];
        refuses(&found, &expect);
        let by_row = |row: u64| message_of(&result, row);
        assert!(by_row(10).contains("第 2 行"), "{}", by_row(10));
        assert!(by_row(11).contains("销售二部"), "{}", by_row(11));
        assert_eq!(
            customer_count(app, &manager).await,
            before,
            "a dry run creates nothing"
        );

        // The same file for real creates the two good rows.
        let again = app
            .get(&format!("/imports/{}", result["id"]), &manager)
            .await;
        assert_eq!(
            again.expect(200),
            result,
            "the dry run reads back as it answered"
        );
        let good = format!(
            "客户名称,电话,行业,负责人\n济南好行网络科技有限公司,0531-1111 2222,{industry},s1_b\n临沂好客户有限公司,,,\n"
        );
        let res = import(app, &manager, false, "客户.csv", good.into_bytes()).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let done = finished(app, &manager, res.body["id"].as_i64().unwrap()).await;
        assert_eq!(done["status"], "done");
        assert_eq!(done["created"], 2, "{done}");
        assert_eq!(done["processed"], 2);
        let owned = app
            .get("/customers?q=%E5%A5%BD%E8%A1%8C&limit=200", &manager)
            .await
            .expect(200);
        let made = &owned["items"][0];
        assert_eq!(made["name"], "济南好行网络科技有限公司");
        assert_eq!(made["owner"]["name"], "业务员");
        assert_eq!(made["industry_id"], industries[0]["id"]);
        // Its history begins with its creation, as a customer created by hand does.
        let history = app
            .get(&format!("/customers/{}/history", made["id"]), &manager)
            .await
            .expect(200);
        assert!(history.to_string().contains("\"create\""), "{history}");
        assert!(history.to_string().contains("0531-1111 2222"), "{history}");

        // An import is its maker's: anyone else gets 404, and finance may not import at all.
        let peer = app.login("s1_b").await;
        let res = app.get(&format!("/imports/{}", done["id"]), &peer).await;
        assert_eq!(res.problem(404), "not_found");
        let fin = app.login("fin_a").await;
        let res = import(app, &fin, true, "客户.csv", b"name\nx\n".to_vec()).await;
        assert_eq!(res.problem(403), "forbidden");
    }
);

api_test!(
    a_real_run_goes_in_batches_and_protection_holds_across_files,
    |app| {
        let owner = app.login("s1_a").await;
        // 600 rows in GB18030, as Chinese Excel saves a CSV; one of them bad.
        let mut text = String::from("客户名称,电话,备注\n");
        for i in 0..600 {
            if i == 321 {
                text.push_str("X,,太短的名称\n");
            } else {
                text.push_str(&format!(
                    "批量导入第{i}号商贸有限公司,0531-7{i:07},第 {i} 行\n"
                ));
            }
        }
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        let res = import(app, &owner, false, "批量.csv", gbk.into_owned()).await;
        assert_eq!(res.status, 202, "{}", res.body);
        assert_eq!(res.body["status"], "running");
        assert_eq!(res.body["total"], 600);
        assert_eq!(res.body["valid"], 599);
        let done = finished(app, &owner, res.body["id"].as_i64().unwrap()).await;
        assert_eq!(done["status"], "done", "{done}");
        assert_eq!(done["created"], 599);
        assert_eq!(done["processed"], 600);
        assert_eq!(
            errors(&done),
            [(323, "name".to_string(), "length".to_string())]
        );
        let found = app
            .get("/customers?q=%E7%AC%AC599%E5%8F%B7&limit=200", &owner)
            .await
            .expect(200);
        assert_eq!(found["items"][0]["notes"], "第 599 行");
        assert_eq!(customer_count(app, &owner).await, 599);

        // The same file again: every row is now a customer that exists.
        let again = import(
            app,
            &owner,
            true,
            "批量.csv",
            encoding_rs::GB18030.encode(&text).0.into_owned(),
        )
        .await;
        assert_eq!(again.status, 200);
        assert_eq!(again.body["valid"], 0);
        let dupes = errors(&again.body)
            .iter()
            .filter(|e| e.2 == "duplicate_customer")
            .count();
        assert_eq!(dupes, 599);
    }
);

api_test!(xlsx_files_and_the_template_read_back, |app| {
    let owner = app.login("s1_a").await;
    // The template in the caller's language, with a sample row that imports as it is.
    let (status, headers, bytes) = app
        .download("/imports/template?kind=customers", &owner)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "客户名称*");
    assert!(header.contains(&"负责人".to_string()), "{header:?}");
    let res = import(app, &owner, true, "template.xlsx", bytes).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["valid"], 1, "{}", res.body);
    assert_eq!(res.body["unknown_columns"], json!([]));

    // A workbook with English headers, a formula (read as its saved value) and a phone typed as
    // a number.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "Name").unwrap();
    ws.write_string(0, 1, "Phone").unwrap();
    ws.write_string(0, 2, "Owner").unwrap();
    ws.write_formula(
        1,
        0,
        rust_xlsxwriter::Formula::new("=\"济南\"&\"公式网络有限公司\"")
            .set_result("济南公式网络有限公司"),
    )
    .unwrap();
    ws.write_number(1, 1, 13_912_345_678.0).unwrap();
    ws.write_string(1, 2, "s1_a").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let res = import(app, &owner, false, "english.xlsx", bytes).await;
    assert_eq!(res.status, 202, "{}", res.body);
    let done = finished(app, &owner, res.body["id"].as_i64().unwrap()).await;
    assert_eq!(done["created"], 1, "{done}");
    let found = app
        .get("/customers?q=%E5%85%AC%E5%BC%8F&limit=200", &owner)
        .await
        .expect(200);
    assert_eq!(found["items"][0]["name"], "济南公式网络有限公司");
    assert_eq!(found["items"][0]["phone"], "13912345678");

    // A UTF-8 file with a byte-order mark reads as one without.
    let mut marked = b"\xEF\xBB\xBF".to_vec();
    marked.extend_from_slice("客户名称\n德州有标记网络有限公司\n".as_bytes());
    let res = import(app, &owner, true, "bom.csv", marked).await;
    assert_eq!(res.body["valid"], 1, "{}", res.body);
    assert_eq!(res.body["unknown_columns"], json!([]));
});

api_test!(files_that_cannot_be_imported_get_a_clear_refusal, |app| {
    let owner = app.login("s1_a").await;
    let cases: [(&str, Vec<u8>, u16, &str); 5] = [
        (
            "broken.xlsx",
            b"PK\x03\x04 not really a zip".to_vec(),
            422,
            "unreadable_file",
        ),
        (
            "old.xls",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            422,
            "unreadable_file",
        ),
        ("empty.csv", Vec::new(), 422, "unreadable_file"),
        (
            "noname.csv",
            "电话\n0531-1\n".as_bytes().to_vec(),
            422,
            "missing_column",
        ),
        (
            "big.csv",
            vec![b'a'; 20 * 1024 * 1024 + 1],
            413,
            "file_too_large",
        ),
    ];
    for (name, bytes, status, code) in cases {
        let res = import(app, &owner, true, name, bytes).await;
        assert_eq!(res.problem(status), code, "{name}");
    }
    let mut many = String::from("客户名称\n");
    for i in 0..50_001 {
        many.push_str(&format!("客户{i}\n"));
    }
    let res = import(app, &owner, true, "many.csv", many.into_bytes()).await;
    assert_eq!(res.problem(422), "too_many_rows");
    // No file, or a kind that does not exist.
    let res = app
        .form("/imports", &owner, &[("kind", "customers".into())], None)
        .await;
    assert_eq!(res.problem(422), "validation_failed");
    let res = app
        .form(
            "/imports",
            &owner,
            &[("kind", "planets".into())],
            Some(("x.csv", b"name\nx\n".to_vec())),
        )
        .await;
    assert_eq!(res.problem(422), "validation_failed");
    assert_eq!(customer_count(app, &owner).await, 0, "nothing was created");
});

api_test!(
    a_contacts_file_is_checked_row_by_row_within_the_importers_scope,
    |app| {
        let owner = app.login("s1_a").await;
        let customer = app
            .post(
                "/customers",
                &owner,
                json!({"name": "济南联系人测试科技有限公司"}),
            )
            .await
            .expect(201);
        let id = customer["id"].as_i64().unwrap();
        app.post(
            &format!("/customers/{id}/contacts"),
            &owner,
            json!({"name": "王经理", "mobile": "13800000001"}),
        )
        .await
        .expect(201);
        let other = app.login("s2_a").await;
        app.post("/customers", &other, json!({"name": "烟台别部门有限公司"}))
            .await
            .expect(201);
        let csv = "客户名称,姓名,手机,邮箱,生日,关键联系人,备注栏\n\
            济南联系人测试科技有限公司,李工,13900000002,li@example.cn,1985-03-04,是,x\n\
            济南联系人测试科技有限公司,王经理,138 0000 0001,,,,\n\
            烟台别部门有限公司,张三,,,,,\n\
            无此客户有限公司,赵四,,,,,\n\
            济南联系人测试科技有限公司,,,,,,\n\
            济南联系人测试科技有限公司,钱五,,not-an-email,,,\n\
            济南联系人测试科技有限公司,孙六,,,1985-13-45,,\n\
            济南联系人测试科技有限公司,周七,,,,也许,\n\
            济南联系人测试科技有限公司,李工,139-0000-0002,,,,\n\
            ,吴八,,,,,\n";
        let res = import_of(app, "contacts", &owner, true, "联系人.csv", csv.into()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let result = res.body;
        assert_eq!(result["kind"], "contacts");
        assert_eq!(result["total"], 10);
        assert_eq!(result["valid"], 1, "{result}");
        assert_eq!(result["unknown_columns"], json!(["备注栏"]));
        let found = errors(&result);
        refuses(
            &found,
            &[
                (3, "name", "duplicate_contact"),
                (4, "customer", "not_found"),
                (5, "customer", "not_found"),
                (6, "name", "length"),
                (7, "email", "invalid_email"),
                (8, "birthday", "invalid"),
                (9, "is_key", "one_of"),
                (10, "name", "duplicate_contact"),
                (11, "customer", "required"),
            ],
        );
        assert_eq!(
            found.len(),
            10,
            "row 6 is both too short and blank: {found:?}"
        );
        // Another department's customer reads exactly as one that does not exist.
        let message =
            |row: u64| message_of(&result, row).replace("烟台别部门有限公司", "无此客户有限公司");
        assert_eq!(message(4), message(5));
        assert_eq!(
            contacts_of(app, &owner, id).await.as_array().unwrap().len(),
            1,
            "a dry run adds nobody"
        );

        // For real: the good row becomes a contact with its history.
        let good = "Customer,Name,Mobile,Email,Birthday,Key contact\n\
            济南联系人测试科技有限公司,李工,13900000002,li@example.cn,1985/3/4,yes\n";
        let res = import_of(app, "contacts", &owner, false, "contacts.csv", good.into()).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let done = finished(app, &owner, res.body["id"].as_i64().unwrap()).await;
        assert_eq!(done["created"], 1, "{done}");
        let now = contacts_of(app, &owner, id).await;
        let made = now
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "李工")
            .unwrap();
        assert_eq!(made["is_key"], true);
        assert_eq!(made["birthday"], "1985-03-04");
        assert_eq!(made["email"], "li@example.cn");
        let history = app
            .get(&format!("/customers/{id}/history"), &owner)
            .await
            .expect(200);
        assert!(history.to_string().contains("李工"), "{history}");
        // The same file again adds nobody twice.
        let res = import_of(app, "contacts", &owner, true, "contacts.csv", good.into()).await;
        assert_eq!(
            errors(&res.body),
            [(2, "name".to_string(), "duplicate_contact".to_string())]
        );

        // Who may add a contact to s1_a's customer by import: whoever sees the customer.
        let one = "客户名称,姓名\n济南联系人测试科技有限公司,周九\n";
        for (user, valid) in [
            ("s1_a", 1),
            ("s1_b", 0),
            ("s2_a", 0),
            ("s1_mgr", 1),
            ("gm", 1),
        ] {
            let token = app.login(user).await;
            let res = import_of(app, "contacts", &token, true, "c.csv", one.into()).await;
            assert_eq!(res.status, 200, "{user}: {}", res.body);
            assert_eq!(res.body["valid"], valid, "{user}: {}", res.body);
            if valid == 0 {
                assert_eq!(
                    errors(&res.body),
                    [(2, "customer".to_string(), "not_found".to_string())],
                    "{user}"
                );
            }
        }
        // Finance edits no customer, so imports no contact.
        let fin = app.login("fin_a").await;
        let res = import_of(app, "contacts", &fin, true, "c.csv", one.into()).await;
        assert_eq!(res.problem(403), "forbidden");
        // A contacts file without its customer column says so.
        let res = import_of(
            app,
            "contacts",
            &owner,
            true,
            "c.csv",
            "姓名\n周九\n".into(),
        )
        .await;
        assert_eq!(res.problem(422), "missing_column");

        // The template in English reads back as a row that imports.
        let (status, _, bytes) = app
            .download("/imports/template?kind=contacts", &owner)
            .await;
        assert_eq!(status, 200);
        let res = import_of(app, "contacts", &owner, true, "template.xlsx", bytes).await;
        assert_eq!(res.body["valid"], 1, "{}", res.body);
        assert_eq!(res.body["unknown_columns"], json!([]));
    }
);

/// Money as text (`"1980.00"`) in fen.
fn fen(text: &str) -> i64 {
    let (yuan, cents) = text.split_once('.').unwrap_or((text, "0"));
    yuan.parse::<i64>().unwrap() * 100 + format!("{cents:0<2}").parse::<i64>().unwrap()
}

api_test!(
    an_orders_file_makes_orders_of_its_lines_as_the_create_and_the_signing_would,
    |app| {
        let owner = app.login("s1_a").await;
        let c = app
            .post(
                "/customers",
                &owner,
                json!({"name": "济南订单导入测试有限公司"}),
            )
            .await
            .expect(201);
        let customer = c["id"].as_i64().unwrap();
        let b = app
            .post(
                "/customers",
                &owner,
                json!({"name": "济南黑名单导入有限公司"}),
            )
            .await
            .expect(201);
        let manager = app.login("s1_mgr").await;
        app.post(
            &format!("/customers/{}/level", b["id"]),
            &manager,
            json!({"level": "blacklisted", "reason": "拖欠货款"}),
        )
        .await
        .expect(200);
        crate::orders::product(app, "IMP-A", "1980.00", Some(12)).await;
        crate::orders::product(app, "IMP-B", "500.00", None).await;
        let products = app.get("/products", &owner).await.expect(200);
        let products = products.as_array().unwrap().clone();
        let p0 = products.iter().find(|p| p["code"] == "IMP-A").unwrap();
        let p1 = products.iter().find(|p| p["code"] == "IMP-B").unwrap();
        let (code0, name1) = (p0["code"].as_str().unwrap(), p1["name"].as_str().unwrap());
        let csv = format!(
            "合同号,客户名称,产品,数量,单价,优惠,服务开始,服务结束,签订日期,备注,来源\n\
             HT-1,济南订单导入测试有限公司,{code0},2,,100.00,2026-01-01,2026-12-31,2026-01-05,首单,x\n\
             HT-1,,{name1},1,\"¥1,200.50\",,,,,,\n\
             HT-2,济南订单导入测试有限公司,{code0},1,,,,,,,\n\
             HT-3,济南黑名单导入有限公司,{code0},1,,,,,,,\n\
             HT-4,济南订单导入测试有限公司,无此产品,1,,,,,,,\n\
             HT-4,济南订单导入测试有限公司,{code0},1,,,,,,,\n\
             ,济南订单导入测试有限公司,{code0},0,,,,,,,\n\
             ,济南订单导入测试有限公司,{code0},1,abc,,,,,,\n\
             ,济南订单导入测试有限公司,{code0},1,,,2026-12-31,2026-01-01,,,\n\
             HT-5,济南订单导入测试有限公司,{code0},1,,,,,,,\n\
             HT-5,济南黑名单导入有限公司,{code0},1,,,,,,,\n"
        );
        let res = import_of(app, "orders", &owner, true, "订单.csv", csv.clone().into()).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let result = res.body;
        assert_eq!(result["total"], 11);
        assert_eq!(result["valid"], 3, "{result}");
        assert_eq!(result["unknown_columns"], json!(["来源"]));
        let found = errors(&result);
        let expect = [
            (5, "customer", "customer_blacklisted"),
            (6, "product", "no_such_product"),
            (7, "contract_no", "invalid"),
            (8, "quantity", "range"),
            (9, "unit_price", "invalid"),
            (10, "service_end", "before_start"),
            (11, "contract_no", "invalid"),
            (12, "customer", "invalid"),
        ];
        refuses(&found, &expect);
        assert_eq!(found.len(), expect.len(), "{found:?}");
        let orders_of = |token: String| async move {
            app.every_page(
                &token,
                &format!("/orders?customer_id={customer}&limit=200"),
                "id",
            )
            .await
        };
        assert!(
            orders_of(owner.clone()).await.is_empty(),
            "a dry run makes nothing"
        );

        // For real: two orders, the first of two lines and signed on its day.
        let res = import_of(app, "orders", &owner, false, "订单.csv", csv.clone().into()).await;
        assert_eq!(res.status, 202, "{}", res.body);
        let done = finished(app, &owner, res.body["id"].as_i64().unwrap()).await;
        assert_eq!(done["created"], 2, "{done}");
        assert_eq!(done["processed"], 11);
        assert_eq!(errors(&done).len(), expect.len(), "{done}");
        let made = orders_of(owner.clone()).await;
        assert_eq!(made.len(), 2);
        let mut made: Vec<Value> = {
            let mut full = Vec::new();
            for id in made {
                full.push(app.get(&format!("/orders/{id}"), &owner).await.expect(200));
            }
            full
        };
        made.sort_by_key(|o| o["lines"].as_array().unwrap().len());
        let (draft, signed) = (&made[0], &made[1]);
        assert_eq!(draft["status"], "draft");
        assert_eq!(signed["status"], "signed");
        assert_eq!(signed["signed_on"], "2026-01-05");
        assert_eq!(signed["service_end"], "2026-12-31");
        assert_eq!(signed["notes"], "首单");
        let price0 = fen(p0["list_price"].as_str().unwrap());
        assert_eq!(
            fen(signed["total"].as_str().unwrap()),
            2 * price0 - fen("100.00") + fen("1200.50"),
            "{signed}"
        );
        let now = app
            .get(&format!("/customers/{customer}"), &owner)
            .await
            .expect(200);
        assert_eq!(now["level"], "signed", "signing moved the customer");
        assert_eq!(signed["contract_no"], "HT-1");
        // The same file again: its contracts are taken, so its orders are refused.
        let res = import_of(app, "orders", &owner, true, "订单.csv", csv.into()).await;
        let again = errors(&res.body);
        for row in [2, 4] {
            assert!(
                again.contains(&(
                    row,
                    "contract_no".to_string(),
                    "duplicate_contract".to_string()
                )),
                "row {row}: {again:?}"
            );
        }

        // Whose customers an orders file may name: whoever sees them.
        let one = format!("客户名称,产品\n济南订单导入测试有限公司,{code0}\n");
        for (user, valid) in [
            ("s1_a", 1),
            ("s1_b", 0),
            ("s2_a", 0),
            ("s1_mgr", 1),
            ("gm", 1),
        ] {
            let token = app.login(user).await;
            let res = import_of(app, "orders", &token, true, "o.csv", one.clone().into()).await;
            assert_eq!(res.status, 200, "{user}: {}", res.body);
            assert_eq!(res.body["valid"], valid, "{user}: {}", res.body);
        }
        // Customer service creates no order: not even the import is open to it.
        let service = app.login("cs_a").await;
        let res = import_of(app, "orders", &service, true, "o.csv", one.into()).await;
        assert_eq!(res.problem(403), "forbidden");

        // The template reads back as an order that imports.
        let (status, _, bytes) = app.download("/imports/template?kind=orders", &owner).await;
        assert_eq!(status, 200);
        let res = import_of(app, "orders", &owner, true, "template.xlsx", bytes).await;
        assert_eq!(res.body["valid"], 1, "{}", res.body);
        assert_eq!(res.body["unknown_columns"], json!([]));
    }
);
