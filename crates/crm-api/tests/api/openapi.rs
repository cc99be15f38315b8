//! The committed OpenAPI document is the one the code generates and the server serves.

#[test]
fn committed_document_matches_the_code() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/crm.openapi.json"
    );
    let committed = std::fs::read_to_string(path).expect("openapi/crm.openapi.json exists");
    let generated = crm_api::openapi_json();
    if committed != generated {
        panic!(
            "openapi/crm.openapi.json is out of date: run `cargo run -p crm-api --bin crm -- openapi > openapi/crm.openapi.json`"
        );
    }
}

#[test]
fn operation_ids_are_unique_and_every_operation_documents_problems() {
    let doc: serde_json::Value = serde_json::from_str(&crm_api::openapi_json()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            assert!(
                op["responses"]["422"].is_object(),
                "{method} {path} documents no 422"
            );
        }
    }
}

crate::api_test!(served_document_is_the_committed_one, |app| {
    let served: serde_json::Value = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let generated: serde_json::Value = serde_json::from_str(&crm_api::openapi_json()).unwrap();
    assert_eq!(served, generated);
    let docs = app
        .client
        .get(app.base.replace("/api/v1", "/api/docs/"))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(
        html.contains("swagger-ui"),
        "the API reference page is served locally"
    );
});
