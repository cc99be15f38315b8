//! Documents: a file is seen by who sees its record (customer, deal, order, ticket, article), its
//! type comes from its content, the same content is stored once, bad uploads store nothing, a
//! deletion is audited, images get thumbnails, and downloads are attachments that run nothing.

use crate::api_test;
use crate::support::{TestApp, enc, ids};
use serde_json::{Value, json};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn pdf(tag: &str) -> Vec<u8> {
    let mut bytes = PDF.to_vec();
    bytes.extend_from_slice(format!("% {tag}\n").as_bytes());
    bytes
}

async fn upload(
    app: &TestApp,
    token: &str,
    field: &str,
    id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> Value {
    app.upload(token, &[(field, id.to_string())], Some((name, bytes)))
        .await
        .expect(201)
}

async fn new_customer(app: &TestApp, token: &str, name: &str) -> i64 {
    app.post("/customers", token, json!({ "name": name }))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap()
}

api_test!(documents_are_seen_by_who_sees_their_record, |app| {
    let owner = app.login("s1_a").await;
    let customer = new_customer(app, &owner, "济南云帆文档测试有限公司").await;
    let deal = app
        .post(
            "/opportunities",
            &owner,
            json!({"customer_id": customer, "title": "云帆年度推广"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let product = crate::orders::product(app, "DOC-1", "1000.00", None).await;
    let order = app
        .post(
            "/orders",
            &owner,
            json!({"customer_id": customer, "lines": [{"product_id": product, "quantity": 1, "unit_price": "1000.00"}]}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let ticket = app
        .post(
            "/tickets",
            &owner,
            json!({"type": "complaint", "customer_id": customer, "subject": "网站打不开"}),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut docs = Vec::new();
    for (field, id, name) in [
        ("customer_id", customer, "云帆推广方案.pdf"),
        ("opportunity_id", deal, "云帆报价说明.pdf"),
        ("order_id", order, "合同扫描件.pdf"),
        ("ticket_id", ticket, "投诉截图说明.pdf"),
    ] {
        let doc = upload(app, &owner, field, id, name, pdf(name)).await;
        assert_eq!(
            doc["attached_to"],
            json!({"kind": field.trim_end_matches("_id"), "id": id})
        );
        assert_eq!(doc["content_type"], "application/pdf");
        assert_eq!(doc["uploaded_by"]["name"], "业务员");
        assert!(!doc["attached_name"].as_str().unwrap().is_empty());
        docs.push((field, id, doc["id"].as_i64().unwrap(), doc["title"].clone()));
    }
    assert_eq!(docs[0].3, "云帆推广方案");

    // (who, sees s1_a's records)
    let matrix = [
        ("s1_a", true),   // the owner
        ("s1_b", false),  // a peer in the same department (scope own)
        ("s2_a", false),  // another department
        ("s1_mgr", true), // the manager above
        ("gm", true),     // scope all
    ];
    for (who, sees) in matrix {
        let t = app.login(who).await;
        let everything = app.get("/documents?limit=200", &t).await.expect(200);
        for (field, record, doc, title) in &docs {
            let status = if sees { 200 } else { 404 };
            for path in [
                format!("/documents/{doc}"),
                format!("/documents/{doc}/content"),
                format!("/documents?{field}={record}"),
            ] {
                assert_eq!(
                    app.get(&path, &t).await.status.as_u16(),
                    status,
                    "{who} {path}"
                );
            }
            assert_eq!(
                ids(&everything).contains(doc),
                sees,
                "{who} sees {field} in the list"
            );
            // The global search finds it only for who may open it.
            let q = title.as_str().unwrap();
            let found = app
                .get(&format!("/search?q={}&per_kind=20", enc(q)), &t)
                .await
                .expect(200);
            let hit = found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == "document" && h["id"] == *doc);
            assert_eq!(hit, sees, "{who} searching {q}");
        }
    }
    // One record at a time.
    assert_eq!(
        app.get(
            &format!("/documents?customer_id={customer}&order_id={order}"),
            &owner
        )
        .await
        .problem(400),
        "invalid_query"
    );
    // Filtered by words of the title or the file name.
    let page = app
        .get(
            &format!("/documents?customer_id={customer}&q={}", enc("方案")),
            &owner,
        )
        .await
        .expect(200);
    assert_eq!(ids(&page), vec![docs[0].2]);
    let none = app
        .get(
            &format!("/documents?customer_id={customer}&q={}", enc("报价")),
            &owner,
        )
        .await
        .expect(200);
    assert!(ids(&none).is_empty());
});

api_test!(bad_uploads_are_refused_and_store_nothing, |app| {
    let owner = app.login("s1_a").await;
    let outsider = app.login("s2_a").await;
    let customer = new_customer(app, &owner, "济南拒收测试有限公司").await;
    let to_customer = [("customer_id", customer.to_string())];
    let before = app.stored_files();
    let fields = |res: crate::support::Res| -> Vec<(String, String)> {
        assert_eq!(res.status.as_u16(), 422, "{}", res.body);
        res.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().to_string(),
                    e["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // No file; no record; two records.
    assert_eq!(
        fields(app.upload(&owner, &to_customer, None).await),
        [("file".to_string(), "required".to_string())]
    );
    assert_eq!(
        fields(app.upload(&owner, &[], Some(("a.pdf", pdf("a")))).await),
        [("customer_id".to_string(), "required".to_string())]
    );
    let two = [
        ("customer_id", customer.to_string()),
        ("order_id", "1".to_string()),
    ];
    assert_eq!(
        fields(app.upload(&owner, &two, Some(("a.pdf", pdf("a")))).await).len(),
        2
    );
    // Names that are paths or hold control characters.
    for name in ["../../etc/passwd.pdf", "a\\b.pdf", "a\u{85}b.pdf", ".."] {
        let res = app
            .upload(&owner, &to_customer, Some((name, pdf(name))))
            .await;
        assert_eq!(
            fields(res),
            [("file".to_string(), "invalid_file_name".to_string())],
            "{name:?}"
        );
    }
    // A name no HTTP parser takes: the form itself is refused.
    let res = app
        .upload(&owner, &to_customer, Some(("a\u{1}b.pdf", pdf("c"))))
        .await;
    assert_eq!(res.problem(400), "invalid_body");
    // A program renamed to look like a PDF; bytes that are no type at all.
    let exe = [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".as_slice(),
        &[0u8; 64],
    ]
    .concat();
    let res = app
        .upload(&owner, &to_customer, Some(("报价单.pdf", exe)))
        .await;
    assert_eq!(res.problem(415), "file_type_not_allowed");
    let res = app
        .upload(
            &owner,
            &to_customer,
            Some(("data.pdf", vec![0, 159, 146, 150, 0, 1])),
        )
        .await;
    assert_eq!(res.problem(415), "file_type_not_allowed");
    // Over the company's limit.
    app.set_settings(json!({"document_max_mb": 1})).await;
    let mut big = pdf("big");
    big.resize(1024 * 1024 + 10, b' ');
    let res = app
        .upload(&owner, &to_customer, Some(("big.pdf", big)))
        .await;
    assert_eq!(res.problem(413), "file_too_large");
    // A record the caller does not see, or that does not exist.
    let res = app
        .upload(&outsider, &to_customer, Some(("a.pdf", pdf("x"))))
        .await;
    assert_eq!(res.problem(404), "not_found");
    let res = app
        .upload(
            &owner,
            &[("customer_id", "99999999".into())],
            Some(("a.pdf", pdf("y"))),
        )
        .await;
    assert_eq!(res.problem(404), "not_found");
    // Fields that are not numbers, or not of this form.
    let res = app
        .upload(
            &owner,
            &[("customer_id", "abc".into())],
            Some(("a.pdf", pdf("z"))),
        )
        .await;
    assert_eq!(
        fields(res),
        [("customer_id".to_string(), "invalid".to_string())]
    );
    let res = app
        .upload(
            &owner,
            &[("path", "/etc".into())],
            Some(("a.pdf", pdf("z"))),
        )
        .await;
    assert_eq!(fields(res), [("path".to_string(), "invalid".to_string())]);
    // A title over 200 characters.
    let long = [
        ("customer_id", customer.to_string()),
        ("title", "长".repeat(201)),
    ];
    let res = app
        .upload(&owner, &long, Some(("a.pdf", pdf("long"))))
        .await;
    assert_eq!(fields(res), [("title".to_string(), "length".to_string())]);
    // Not a form at all.
    let res = app
        .raw(
            reqwest::Method::POST,
            "/documents",
            &owner,
            Some("application/json"),
            "{}",
        )
        .await;
    assert_eq!(res.problem(400), "invalid_body");
    // Nothing was kept, nothing was listed.
    assert_eq!(app.stored_files(), before);
    let page = app
        .get(&format!("/documents?customer_id={customer}"), &owner)
        .await
        .expect(200);
    assert!(ids(&page).is_empty());
});

api_test!(same_content_is_stored_once_and_deletion_is_audited, |app| {
    let owner = app.login("s1_a").await;
    let peer = app.login("s1_b").await;
    let manager = app.login("s1_mgr").await;
    let a = new_customer(app, &owner, "济南同文一号有限公司").await;
    let b = new_customer(app, &owner, "济南同文二号有限公司").await;
    let before = app.stored_files();
    let text = "网络推广方案\n预算：每月 3000 元\n".as_bytes().to_vec();
    let first_doc = upload(app, &owner, "customer_id", a, "方案.txt", text.clone()).await;
    let second = upload(app, &owner, "customer_id", b, "方案-副本.txt", text.clone()).await;
    assert_eq!(first_doc["sha256"], second["sha256"]);
    assert_eq!(first_doc["content_type"], "text/plain");
    assert_eq!(first_doc["size_bytes"], text.len());
    assert_eq!(app.stored_files(), before + 1, "one file for both");

    // The download: the bytes, as an attachment under its own name, inert.
    let id = first_doc["id"].as_i64().unwrap();
    let (status, headers, bytes) = app
        .download(&format!("/documents/{id}/content"), &owner)
        .await;
    assert_eq!(status, 200);
    assert_eq!(bytes, text);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let disposition = header("content-disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%E6%96%B9%E6%A1%88.txt"),
        "{disposition}"
    );
    assert!(header("content-security-policy").contains("sandbox"));

    // Who may delete: not a peer (who does not even see it), the manager above may.
    assert_eq!(
        app.delete(&format!("/documents/{id}"), &peer)
            .await
            .problem(404),
        "not_found"
    );
    app.delete(&format!("/documents/{id}"), &manager)
        .await
        .expect(204);
    app.get(&format!("/documents/{id}"), &owner)
        .await
        .problem(404);
    // The other document keeps the content.
    let other = second["id"].as_i64().unwrap();
    let (status, _, bytes) = app
        .download(&format!("/documents/{other}/content"), &owner)
        .await;
    assert_eq!((status.as_u16(), bytes), (200, text));
    // The customer's history says who deleted what.
    let history = app
        .get(&format!("/customers/{a}/history"), &owner)
        .await
        .expect(200);
    let deleted = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == "document" && e["action"] == "delete")
        .expect("the deletion is in the history");
    assert_eq!(deleted["changes"]["file_name"], "方案.txt");
    assert_eq!(deleted["user"]["name"], "销售一部经理");
});

api_test!(
    images_get_thumbnails_and_articles_take_files_from_writers,
    |app| {
        let owner = app.login("s1_a").await;
        let writer = app.login("s1_mgr").await;
        let customer = new_customer(app, &owner, "济南图片测试有限公司").await;
        let picture = image::RgbImage::from_pixel(800, 400, image::Rgb([20, 90, 200]));
        let mut png = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut png, image::ImageFormat::Png).unwrap();
        // Named like a document; its content says it is a picture.
        let doc = upload(
            app,
            &owner,
            "customer_id",
            customer,
            "门头照片.pdf",
            png.into_inner(),
        )
        .await;
        assert_eq!(doc["content_type"], "image/png");
        assert_eq!(doc["has_thumbnail"], true);
        let id = doc["id"].as_i64().unwrap();
        let (status, headers, bytes) = app
            .download(&format!("/documents/{id}/thumbnail"), &owner)
            .await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "image/png");
        let small = image::load_from_memory(&bytes).unwrap();
        assert_eq!((small.width(), small.height()), (256, 128));
        let outsider = app.login("s2_a").await;
        let (status, _, _) = app
            .download(&format!("/documents/{id}/thumbnail"), &outsider)
            .await;
        assert_eq!(status, 404);
        let text = upload(
            app,
            &owner,
            "customer_id",
            customer,
            "说明.txt",
            b"plain".to_vec(),
        )
        .await;
        assert_eq!(text["has_thumbnail"], false);
        let (status, _, _) = app
            .download(&format!("/documents/{}/thumbnail", text["id"]), &owner)
            .await;
        assert_eq!(status, 404);

        // An article takes files from writers (and its author), not from every reader.
        let article = app
            .post(
                "/articles",
                &writer,
                json!({"kind": "kb", "title": "推广方案模板", "body": "见附件"}),
            )
            .await
            .expect(201)["id"]
            .as_i64()
            .unwrap();
        let res = app
            .upload(
                &owner,
                &[("article_id", article.to_string())],
                Some(("模板.pdf", pdf("t"))),
            )
            .await;
        assert_eq!(res.problem(403), "forbidden");
        let attached = upload(app, &writer, "article_id", article, "模板.pdf", pdf("t")).await;
        // Every reader of the article reads its files.
        for who in ["s1_a", "s2_a", "fin_a"] {
            let t = app.login(who).await;
            let page = app
                .get(&format!("/documents?article_id={article}"), &t)
                .await
                .expect(200);
            assert_eq!(ids(&page), vec![attached["id"].as_i64().unwrap()], "{who}");
        }
    }
);
