//! `docs/api-cookbook.md` is run, not just read: every `bash` and `python` block runs against a
//! live server with a personal token of a salesperson, and must finish without an error (each
//! recipe checks its own answers).

use crate::api_test;
use serde_json::json;

/// The cookbook's runnable blocks: (language, code), in the order they appear.
fn recipes(doc: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut open, line.trim_end()) {
            (None, fence) if fence.starts_with("```") => {
                open = Some((fence.trim_start_matches('`').to_string(), String::new()));
            }
            (Some(_), "```") => {
                let (lang, code) = open.take().unwrap();
                if lang == "bash" || lang == "python" {
                    found.push((lang, code));
                }
            }
            (Some((_, code)), text) => {
                code.push_str(text);
                code.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(open.is_none(), "a code block of the cookbook is not closed");
    found
}

#[test]
fn the_cookbook_is_read_as_its_blocks() {
    let doc = "text\n```sh\nexport A=1\n```\n```bash\necho one\n```\n```python\nprint(2)\n```\n";
    assert_eq!(
        recipes(doc),
        [
            ("bash".to_string(), "echo one\n".to_string()),
            ("python".to_string(), "print(2)\n".to_string())
        ]
    );
}

api_test!(every_cookbook_recipe_runs_against_a_live_server, |app| {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/api-cookbook.md"
    ))
    .unwrap();
    let recipes = recipes(&doc);
    assert!(recipes.len() >= 6, "{} recipes", recipes.len());
    let access = app.login("s1_a").await;
    let made = app
        .post("/me/tokens", &access, json!({"name": "cookbook"}))
        .await
        .expect(201);
    let token = made["token"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A real delivery for the signature recipe: an endpoint told of new customers, and one made.
    let receiver = crate::webhooks::Receiver::start().await;
    let hook = crate::webhooks::register(app, &receiver.url, json!(["customer.created"])).await;
    app.post(
        "/customers",
        &access,
        json!({"name": "临沂沂蒙山旅游有限公司"}),
    )
    .await
    .expect(201);
    while crate::webhooks::deliver(app).await > 0 {}
    let delivery = receiver.got().pop().expect("a delivery");
    std::fs::write(dir.path().join("delivery.json"), &delivery.body).unwrap();
    for (lang, code) in &recipes {
        let program = if lang == "bash" { "bash" } else { "python3" };
        let out = tokio::process::Command::new(program)
            .arg("-c")
            .arg(code)
            .current_dir(dir.path())
            .env("CRM_URL", &app.base)
            .env("CRM_TOKEN", token)
            .env("CRM_USERNAME", "s1_a")
            .env("CRM_PASSWORD", "demo1234")
            .env("CRM_WEBHOOK_SECRET", hook["secret"].as_str().unwrap())
            .env("CRM_WEBHOOK_SIGNATURE", &delivery.signature)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "this {lang} recipe failed:\n{code}\n--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the recipes made is there: the retried create made one customer, not two.
    let made = app
        .get("/customers?q=%E9%A3%9F%E8%B0%B1&limit=200", &access)
        .await
        .expect(200);
    assert_eq!(made["items"].as_array().unwrap().len(), 2, "{made}");
});
