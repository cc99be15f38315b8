//! Reminders from next steps, notifications, the scheduler (company calendar, several instances at
//! once), e-mail to a local SMTP sink, and the team's day.

use crate::api_test;
use crate::support::{TestApp, company_day};
use chrono::{DateTime, NaiveDate, Utc};
use crm_domain::time;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

fn today() -> NaiveDate {
    company_day(0)
}

fn day(offset: i64) -> NaiveDate {
    company_day(offset)
}

async fn visit_type(app: &TestApp, token: &str) -> i64 {
    let types = app
        .get("/dictionaries/activity_type", token)
        .await
        .expect(200);
    types.as_array().unwrap()[0]["id"].as_i64().unwrap()
}

async fn customer(app: &TestApp, token: &str, name: &str) -> Value {
    app.post("/customers", token, json!({"name": name}))
        .await
        .expect(201)
}

/// Logs a visit a minute ago with a next step on `next`; answers the activity.
async fn log_with_next_step(
    app: &TestApp,
    token: &str,
    customer: &Value,
    next: Option<NaiveDate>,
    note: &str,
) -> Value {
    let t = visit_type(app, token).await;
    let at = Utc::now() - chrono::Duration::minutes(1);
    app.post(
        "/activities",
        token,
        json!({"customer_id": customer["id"], "type_id": t, "occurred_at": at,
               "summary": "上门拜访", "next_step_on": next, "next_step_note": note}),
    )
    .await
    .expect(201)
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().unwrap()
}

/// Runs the scheduler once as of `now`, as a separate instance would.
async fn run_scheduler(app: &TestApp, now: DateTime<Utc>) -> crm_db::scheduler::Report {
    let db = app.pool();
    actix_web::web::block(move || crm_api::scheduler::run_once(&db, None, None, now))
        .await
        .unwrap()
        .unwrap()
        .announced
}

/// The instant `hh:mm` UTC on `date`.
fn utc_at(date: NaiveDate, hh: u32, mm: u32) -> DateTime<Utc> {
    date.and_hms_opt(hh, mm, 0).unwrap().and_utc()
}

api_test!(a_next_step_becomes_a_reminder_done_and_snoozed, |app| {
    let rep = app.login("s1_a").await;
    let c = customer(app, &rep, "济南恒达网络科技有限公司").await;
    let activity = log_with_next_step(app, &rep, &c, Some(day(2)), "送报价").await;
    let list = app.get("/reminders", &rep).await.expect(200);
    assert_eq!(items(&list).len(), 1);
    let r = &items(&list)[0];
    assert_eq!(r["status"], "open");
    assert_eq!(r["note"], "送报价");
    assert_eq!(r["due_on"], day(2).to_string());
    assert_eq!(r["activity_id"], activity["id"]);
    assert_eq!(r["customer"]["id"], c["id"]);
    let id = r["id"].as_i64().unwrap();

    // Snooze by days or to a date; never into the past; exactly one of the two.
    let s = app
        .post(&format!("/reminders/{id}/snooze"), &rep, json!({"days": 3}))
        .await
        .expect(200);
    assert_eq!(s["due_on"], day(3).to_string());
    let s = app
        .post(
            &format!("/reminders/{id}/snooze"),
            &rep,
            json!({"until": day(5)}),
        )
        .await
        .expect(200);
    assert_eq!(s["due_on"], day(5).to_string());
    let res = app
        .post(
            &format!("/reminders/{id}/snooze"),
            &rep,
            json!({"until": day(-1)}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["code"], "in_the_past");
    for body in [json!({}), json!({"days": 1, "until": day(4)})] {
        let res = app
            .post(&format!("/reminders/{id}/snooze"), &rep, body)
            .await;
        assert_eq!(res.problem(422), "validation_failed");
    }
    let res = app
        .post(&format!("/reminders/{id}/snooze"), &rep, json!({"days": 0}))
        .await;
    assert_eq!(res.problem(422), "validation_failed");

    // Done, twice; then it is listed as done and can no longer be snoozed.
    let done = app
        .post(&format!("/reminders/{id}/done"), &rep, json!({}))
        .await
        .expect(200);
    assert_eq!(done["status"], "done");
    let again = app
        .post(&format!("/reminders/{id}/done"), &rep, json!({}))
        .await
        .expect(200);
    assert_eq!(again["done_at"], done["done_at"]);
    assert_eq!(
        app.post(&format!("/reminders/{id}/snooze"), &rep, json!({"days": 1}))
            .await
            .problem(409),
        "reminder_done"
    );
    assert!(items(&app.get("/reminders", &rep).await.expect(200)).is_empty());
    let finished = app.get("/reminders?status=done", &rep).await.expect(200);
    assert_eq!(items(&finished)[0]["id"], id);

    // A next step in the past is refused, and nothing is logged.
    let t = visit_type(app, &rep).await;
    let res = app
        .post(
            "/activities",
            &rep,
            json!({"customer_id": c["id"], "type_id": t, "occurred_at": Utc::now(),
                   "summary": "x", "next_step_on": day(-1)}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["field"], "next_step_on");
    assert_eq!(res.body["errors"][0]["code"], "in_the_past");
    let logged = app
        .get(&format!("/activities?customer_id={}", c["id"]), &rep)
        .await
        .expect(200);
    assert_eq!(items(&logged).len(), 1);
});

api_test!(reminders_list_by_day_with_overdue_and_pages, |app| {
    let rep = app.login("s2_a").await;
    let c = customer(app, &rep, "淄博瑞丰机械制造有限公司").await;
    for (offset, note) in [(4, "d"), (0, "a"), (1, "b"), (1, "c")] {
        log_with_next_step(app, &rep, &c, Some(day(offset)), note).await;
    }
    // Overdue ones come from next steps planned earlier: move one back in the database, as the
    // passing of days would.
    let db = app.pool();
    let mut conn = db.get().unwrap();
    {
        use diesel::prelude::*;
        diesel::update(
            crm_db::schema::reminders::table.filter(crm_db::schema::reminders::note.eq("d")),
        )
        .set(crm_db::schema::reminders::due_on.eq(day(-2)))
        .execute(&mut *conn)
        .unwrap();
    }
    let mut notes = Vec::new();
    let mut statuses = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/reminders?limit=3&cursor={cursor}"), &rep)
            .await
            .expect(200);
        for r in items(&page) {
            notes.push(r["note"].as_str().unwrap().to_string());
            statuses.push(r["status"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(notes, ["d", "a", "b", "c"]);
    assert_eq!(statuses, ["overdue", "open", "open", "open"]);
    let overdue = app.get("/reminders?status=overdue", &rep).await.expect(200);
    assert_eq!(items(&overdue).len(), 1);
    let due_now = app
        .get(&format!("/reminders?due_before={}", day(1)), &rep)
        .await
        .expect(200);
    assert_eq!(items(&due_now).len(), 2, "overdue and today's");
    let due = app.get("/reminders?status=due", &rep).await.expect(200);
    assert_eq!(
        items(&due).len(),
        2,
        "due: the same, on the company's calendar"
    );
    assert_eq!(
        app.get("/reminders?cursor=bm9wZQ", &rep).await.problem(400),
        "invalid_cursor"
    );
    assert_eq!(
        app.get("/reminders?status=late", &rep).await.problem(400),
        "invalid_query"
    );
});

api_test!(only_the_owner_sees_and_handles_a_reminder, |app| {
    let owner = app.login("s1_a").await;
    let c = customer(app, &owner, "潍坊金诺商贸有限公司").await;
    log_with_next_step(app, &owner, &c, Some(day(1)), "回访").await;
    let id = items(&app.get("/reminders", &owner).await.expect(200))[0]["id"]
        .as_i64()
        .unwrap();
    for who in ["s1_b", "s2_a", "s1_mgr", "gm"] {
        let token = app.login(who).await;
        let list = app.get("/reminders", &token).await.expect(200);
        assert!(items(&list).iter().all(|r| r["id"] != id), "{who}");
        for action in ["done", "snooze"] {
            let body = if action == "snooze" {
                json!({"days": 1})
            } else {
                json!({})
            };
            let res = app
                .post(&format!("/reminders/{id}/{action}"), &token, body)
                .await;
            assert_eq!(res.problem(404), "not_found", "{who} {action}");
        }
    }
    let unauthenticated = app
        .send(reqwest::Method::GET, "/reminders", None, None)
        .await;
    assert_eq!(unauthenticated.status, 401);
});

api_test!(a_transfer_hands_open_reminders_to_the_receiver, |app| {
    let giver = app.login("s1_a").await;
    let c = customer(app, &giver, "烟台海岱物流有限公司").await;
    log_with_next_step(app, &giver, &c, Some(day(1)), "open one").await;
    log_with_next_step(app, &giver, &c, Some(day(2)), "done one").await;
    let done_id = items(&app.get("/reminders", &giver).await.expect(200))[1]["id"].clone();
    app.post(&format!("/reminders/{done_id}/done"), &giver, json!({}))
        .await
        .expect(200);
    let manager = app.login("s1_mgr").await;
    let from = app.user_id(&app.login("admin").await, "s1_a").await;
    let to = app.user_id(&app.login("admin").await, "s1_b").await;
    let moved = app
        .post(
            "/customer-transfers",
            &manager,
            json!({"from_user_id": from, "to_user_id": to, "all": true, "reason": "离职交接"}),
        )
        .await
        .expect(201);
    assert_eq!(moved["moved"]["reminders"], 1);
    let receiver = app.login("s1_b").await;
    let theirs = app.get("/reminders", &receiver).await.expect(200);
    assert_eq!(items(&theirs).len(), 1);
    assert_eq!(items(&theirs)[0]["note"], "open one");
    assert!(items(&app.get("/reminders", &giver).await.expect(200)).is_empty());
});

api_test!(the_scheduler_announces_on_the_company_calendar, |app| {
    let rep = app.login("s1_a").await;
    let c = customer(app, &rep, "青岛嘉禾教育咨询有限公司").await;
    let due = day(10);
    log_with_next_step(app, &rep, &c, Some(due), "签合同").await;
    let eve = due.pred_opt().unwrap();
    // 15:59 UTC on the eve is 23:59 in Shanghai: not yet.
    assert_eq!(
        run_scheduler(app, utc_at(eve, 15, 59)).await.reminders_due,
        0
    );
    // 16:30 UTC on the eve is 00:30 on the day in Shanghai: due now, once.
    assert_eq!(
        run_scheduler(app, utc_at(eve, 16, 30)).await.reminders_due,
        1
    );
    assert_eq!(
        run_scheduler(app, utc_at(eve, 17, 0)).await.reminders_due,
        0
    );
    assert_eq!(run_scheduler(app, utc_at(due, 3, 0)).await.reminders_due, 0);

    let count = app
        .get("/notifications/unread-count", &rep)
        .await
        .expect(200);
    assert_eq!(count["count"], 1);
    let list = app
        .get("/notifications?unread=true", &rep)
        .await
        .expect(200);
    let n = &items(&list)[0];
    assert_eq!(n["kind"], "reminder_due");
    assert_eq!(n["entity"], "customer");
    assert_eq!(n["entity_id"], c["id"]);
    assert!(n["body"].as_str().unwrap().contains("签合同"));
    let id = n["id"].as_i64().unwrap();
    // Nobody else sees or reads it: not a peer, another department, the manager or the GM.
    for who in ["s1_b", "s2_a", "s1_mgr", "gm"] {
        let other = app.login(who).await;
        assert_eq!(
            app.post(&format!("/notifications/{id}/read"), &other, json!({}))
                .await
                .problem(404),
            "not_found",
            "{who}"
        );
        let theirs = app.get("/notifications", &other).await.expect(200);
        assert!(items(&theirs).iter().all(|n| n["id"] != id), "{who}");
    }
    let read = app
        .post(&format!("/notifications/{id}/read"), &rep, json!({}))
        .await
        .expect(200);
    assert!(read["read_at"].is_string());
    let count = app
        .get("/notifications/unread-count", &rep)
        .await
        .expect(200);
    assert_eq!(count["count"], 0);
    assert!(
        items(
            &app.get("/notifications?unread=true", &rep)
                .await
                .expect(200)
        )
        .is_empty()
    );
    assert_eq!(
        items(&app.get("/notifications", &rep).await.expect(200)).len(),
        1
    );

    // Snoozed to the next day, it is announced again on that day.
    let rid = items(&app.get("/reminders", &rep).await.expect(200))[0]["id"].clone();
    app.post(
        &format!("/reminders/{rid}/snooze"),
        &rep,
        json!({"until": due.succ_opt().unwrap()}),
    )
    .await
    .expect(200);
    assert_eq!(
        run_scheduler(app, utc_at(due, 15, 0)).await.reminders_due,
        0
    );
    assert_eq!(
        run_scheduler(app, utc_at(due, 16, 1)).await.reminders_due,
        1
    );
    let all = app
        .post("/notifications/read-all", &rep, json!({}))
        .await
        .expect(200);
    assert_eq!(all["count"], 1);
});

api_test!(the_company_time_zone_decides_what_today_is, |app| {
    // Pick a zone whose date differs from UTC's right now: UTC+14 is a day ahead from 10:00 UTC,
    // UTC-12 a day behind until 12:00 UTC.
    let now = Utc::now();
    let zone = if chrono::Timelike::hour(&now) >= 11 {
        "Pacific/Kiritimati"
    } else {
        "Etc/GMT+12"
    };
    let local = time::local_date(now, time::zone(zone));
    assert_ne!(
        local,
        now.date_naive(),
        "the zone must disagree with UTC now"
    );
    app.set_settings(json!({"time_zone": zone})).await;
    let rep = app.login("s2_a").await;
    let c = customer(app, &rep, "日照东岳文化传媒有限公司").await;
    // The company's today is accepted and is not overdue, whatever UTC says.
    log_with_next_step(app, &rep, &c, Some(local), "今天").await;
    let list = app.get("/reminders", &rep).await.expect(200);
    assert_eq!(items(&list)[0]["status"], "open");
    let before_local = local.pred_opt().unwrap();
    let t = visit_type(app, &rep).await;
    let res = app
        .post(
            "/activities",
            &rep,
            json!({"customer_id": c["id"], "type_id": t, "occurred_at": now,
                   "summary": "x", "next_step_on": before_local}),
        )
        .await;
    assert_eq!(res.body["errors"][0]["code"], "in_the_past");
    // The scheduler, as of now, finds it due today in that zone.
    assert_eq!(run_scheduler(app, now).await.reminders_due, 1);
});

api_test!(two_schedulers_at_once_announce_everything_once, |app| {
    let rep = app.login("s1_a").await;
    let c = customer(app, &rep, "泰安天成装饰工程有限公司").await;
    let due = day(3);
    for k in 0..24 {
        log_with_next_step(app, &rep, &c, Some(due), &format!("第{k}项")).await;
    }
    // A customer waiting for review gives the managers a daily digest, also once.
    app.set_settings(json!({"review_new_customers": true}))
        .await;
    customer(app, &rep, "泰安天成商贸有限公司").await;

    let at = utc_at(due, 2, 0);
    let (a, b) = (app.pool(), app.pool());
    let mut runs = Vec::new();
    for db in [a, b] {
        for _ in 0..3 {
            let db = db.clone();
            runs.push(std::thread::spawn(move || {
                crm_api::scheduler::run_once(&db, None, None, at)
                    .unwrap()
                    .announced
            }));
        }
    }
    let reports: Vec<_> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    assert_eq!(reports.iter().map(|r| r.reminders_due).sum::<usize>(), 24);
    let page = app.get("/notifications?limit=200", &rep).await.expect(200);
    let mut bodies: Vec<&str> = items(&page)
        .iter()
        .filter(|n| n["kind"] == "reminder_due")
        .map(|n| n["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 24);
    bodies.sort_unstable();
    bodies.dedup();
    assert_eq!(bodies.len(), 24, "no reminder announced twice");
    let manager = app.login("s1_mgr").await;
    let digests: Vec<Value> = items(&app.get("/notifications", &manager).await.expect(200))
        .iter()
        .filter(|n| n["kind"] == "review_pending")
        .cloned()
        .collect();
    assert_eq!(digests.len(), 1);
    assert!(digests[0]["body"].as_str().unwrap().starts_with("1 "));
});

/// What the sink received: (recipients, raw message) per e-mail.
type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

fn received(inbox: &Inbox) -> usize {
    inbox.lock().unwrap().len()
}

/// A local SMTP server that keeps what it receives.
#[derive(Clone, Default)]
struct Sink {
    inbox: Inbox,
    rcpt: Vec<String>,
    data: Vec<u8>,
}

impl mailin_embedded::Handler for Sink {
    fn rcpt(&mut self, to: &str) -> mailin_embedded::Response {
        self.rcpt.push(to.to_string());
        mailin_embedded::response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        let message = String::from_utf8_lossy(&self.data).to_string();
        self.inbox
            .lock()
            .unwrap()
            .push((std::mem::take(&mut self.rcpt), message));
        self.data.clear();
        mailin_embedded::response::OK
    }
}

fn start_sink() -> (u16, Inbox) {
    let sink = Sink::default();
    let inbox = sink.inbox.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = mailin_embedded::Server::new(sink);
    server
        .with_name("sink.test")
        .with_ssl(mailin_embedded::SslConfig::None)
        .unwrap()
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, inbox)
}

mod email {
    use super::*;

    async fn sends_due_reminders_by_email(backend: &str) {
        let (port, inbox) = start_sink();
        let Some(app) = TestApp::spawn_with(backend, |c| {
            c.scheduler_interval = 1;
            c.smtp.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
            c.smtp.smtp_from = "CRM <crm@example.cn>".into();
        })
        .await
        else {
            return;
        };
        let admin = app.login("admin").await;
        let users = app.get("/users?q=s1_a", &admin).await.expect(200);
        let user = &items(&users)[0];
        app.patch(
            &format!("/users/{}", user["id"]),
            &admin,
            json!({"email": "s1a@example.cn", "version": user["version"]}),
        )
        .await
        .expect(200);
        let rep = app.login("s1_a").await;
        let c = customer(&app, &rep, "聊城百川医疗器械有限公司").await;
        log_with_next_step(&app, &rep, &c, Some(today()), "今日回访").await;
        let mut waited = 0;
        while received(&inbox) == 0 && waited < 100 {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
            waited += 1;
        }
        // A few more runs of the scheduler must not send it again.
        actix_web::rt::time::sleep(std::time::Duration::from_millis(2500)).await;
        let inbox = inbox.lock().unwrap().clone();
        assert_eq!(inbox.len(), 1, "one e-mail, once");
        let (rcpt, message) = &inbox[0];
        assert_eq!(rcpt, &["s1a@example.cn"]);
        assert!(message.contains("To: "), "{message}");
        assert!(message.contains("s1a@example.cn"), "{message}");
        assert!(message.contains("From: CRM <crm@example.cn>"), "{message}");
        assert!(message.contains("Subject: "), "{message}");
        // The in-app notification exists too.
        let n = app.get("/notifications", &rep).await.expect(200);
        assert_eq!(items(&n).len(), 1);
    }

    #[actix_web::test]
    async fn sqlite() {
        sends_due_reminders_by_email("sqlite").await;
    }
    #[actix_web::test]
    async fn postgres() {
        sends_due_reminders_by_email("postgres").await;
    }
}

api_test!(a_manager_sees_the_team_day_by_person, |app| {
    let mut logged = Vec::new();
    for (who, n) in [("s1_a", 2), ("s1_b", 1), ("s2_a", 1)] {
        let token = app.login(who).await;
        let c = customer(app, &token, &format!("德州{who}优品商贸有限公司")).await;
        for _ in 0..n {
            log_with_next_step(app, &token, &c, None, "").await;
        }
        logged.push(c);
    }
    let date = today();
    let admin = app.login("admin").await;
    let s1_b = app.user_id(&admin, "s1_b").await;
    let expectations: [(&str, i64, &[&str]); 5] = [
        ("s1_a", 2, &["s1_a"]),
        ("s1_b", 1, &["s1_b"]),
        ("s2_a", 1, &["s2_a"]),
        ("s1_mgr", 3, &["s1_a", "s1_b", "s1_mgr"]),
        ("gm", 4, &["s1_a", "s1_b", "s2_a", "gm", "s1_mgr", "s2_mgr"]),
    ];
    for (who, total, people) in expectations {
        let token = app.login(who).await;
        let day = app
            .get(&format!("/team/activity-stream?date={date}"), &token)
            .await
            .expect(200);
        assert_eq!(day["total"], total, "{who}");
        assert_eq!(
            day["activities"].as_array().unwrap().len() as i64,
            total,
            "{who}"
        );
        let ids: Vec<i64> = day["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["user"]["id"].as_i64().unwrap())
            .collect();
        for person in people {
            let id = app.user_id(&admin, person).await;
            assert!(ids.contains(&id), "{who} sees {person}");
        }
        if who == "s1_mgr" {
            assert_eq!(ids.len(), 3, "the manager's department only");
            assert!(
                day["people"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["username"] == "s1_b")
            );
            assert_eq!(day["people"][0]["count"], 2, "most active first");
            assert_eq!(day["people"][2]["count"], 0, "idle people are listed too");
            let drill = app
                .get(
                    &format!("/team/activity-stream?date={date}&user_id={s1_b}"),
                    &token,
                )
                .await
                .expect(200);
            assert_eq!(drill["activities"].as_array().unwrap().len(), 1);
            assert_eq!(drill["activities"][0]["owner"]["id"], s1_b);
            assert_eq!(drill["total"], 3, "counts still cover the team");
        }
    }
    // Another day is empty; a bad date is a clear 400.
    let gm = app.login("gm").await;
    let other = app
        .get(&format!("/team/activity-stream?date={}", day(-400)), &gm)
        .await
        .expect(200);
    assert_eq!(other["total"], 0);
    assert_eq!(
        app.get("/team/activity-stream?date=yesterday", &gm)
            .await
            .problem(400),
        "invalid_query"
    );
    assert_eq!(
        app.get("/team/activity-stream", &admin).await.problem(403),
        "forbidden"
    );
    let _ = logged;
});
