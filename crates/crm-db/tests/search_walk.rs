//! The customer search's walk (a word too common to fetch its candidates: the list is read in its
//! own order and each row checked against the bigram index) finds exactly what `LIKE` finds: in
//! names, short names and contacts' names, for two characters (the index alone decides) and for
//! longer words (the index narrows, `LIKE` decides). This process lowers the drive limit so that
//! a handful of customers take the path a million do.

#![allow(clippy::unwrap_used)]

use crm_db::visibility::Visible;
use crm_db::{Actor, customers, db_test, search};
use crm_domain::Permission;
use crm_domain::api::CustomerQuery;
use serde_json::json;

fn found(conn: &mut crm_db::DbConnection, actor: &Actor, q: &str) -> Vec<String> {
    let mut names: Vec<String> = customers::list(
        conn,
        actor,
        &CustomerQuery {
            q: Some(q.into()),
            limit: Some(200),
            ..Default::default()
        },
    )
    .unwrap()
    .items
    .into_iter()
    .map(|c| c.name)
    .collect();
    names.sort();
    names
}

db_test!(walking_the_list_finds_what_like_finds, |db| {
    search::set_drive_limit(1);
    let (pool, everyone) = db.with_root();
    let mut c = pool.get().unwrap();
    let conn = &mut *c;
    let own = Actor::new(1, Permission::ALL.to_vec(), Visible::Owners(vec![1]));
    for (name, short) in [
        ("济南瑞丰机械有限公司", None),
        ("青岛海丰商贸有限公司", Some("瑞丰商贸")),
        ("烟台丰瑞置业有限公司", None),
        ("潍坊博远机械有限公司", None),
    ] {
        let new = serde_json::from_value(json!({"name": name, "short_name": short})).unwrap();
        customers::create(conn, &everyone, &new).unwrap();
    }
    let bo = customers::list(conn, &everyone, &CustomerQuery::default())
        .unwrap()
        .items
        .into_iter()
        .find(|c| c.name.starts_with("潍坊"))
        .unwrap();
    customers::create_contact(
        conn,
        &everyone,
        bo.id,
        &serde_json::from_value(json!({"name": "瑞丰王"})).unwrap(),
    )
    .unwrap();
    let all = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for actor in [&everyone, &own] {
        // Two characters: in a name, a short name, a contact's name; not reversed.
        assert_eq!(
            found(conn, actor, "瑞丰"),
            all(&[
                "济南瑞丰机械有限公司",
                "潍坊博远机械有限公司",
                "青岛海丰商贸有限公司"
            ])
        );
        assert_eq!(found(conn, actor, "丰瑞"), all(&["烟台丰瑞置业有限公司"]));
        // Longer: every bigram held, and the words in this order.
        assert_eq!(
            found(conn, actor, "瑞丰机械"),
            all(&["济南瑞丰机械有限公司"])
        );
        assert_eq!(found(conn, actor, "机械瑞丰"), Vec::<String>::new());
        // Nothing holds it.
        assert_eq!(found(conn, actor, "鑫源"), Vec::<String>::new());
    }
});

// Articles: a word too common to fetch its candidates walks the list (and the global search the
// newest first) with a pattern the planner cannot read, and finds exactly what `LIKE` finds.
db_test!(walking_the_articles_finds_what_like_finds, |db| {
    use crm_db::articles;
    use crm_domain::api::ArticleQuery;
    search::set_drive_limit(1);
    let (pool, everyone) = db.with_root();
    let mut c = pool.get().unwrap();
    let conn = &mut *c;
    let mut ids = Vec::new();
    for (title, body) in [
        ("续费话术", "老客户到期前一个月开始沟通。"),
        ("百度推广入门", "先讲清楚续费的时间和价格。"),
        ("落地页写法", "标题要短。"),
        ("续 费", "空格隔开的不算。"),
    ] {
        let new =
            serde_json::from_value(json!({"kind": "kb", "title": title, "body": body})).unwrap();
        ids.push(articles::create(conn, &everyone, &new).unwrap().id);
    }
    let listed = |conn: &mut crm_db::DbConnection, q: &str| -> Vec<i64> {
        let q = ArticleQuery {
            q: Some(q.into()),
            ..Default::default()
        };
        articles::list(conn, &everyone, &q)
            .unwrap()
            .items
            .into_iter()
            .map(|a| a.id)
            .collect()
    };
    // The list: the newest first.
    assert_eq!(listed(conn, "续费"), [ids[1], ids[0]]);
    assert_eq!(listed(conn, "续费话术"), [ids[0]]);
    assert_eq!(listed(conn, "标题"), [ids[2]]);
    assert!(listed(conn, "费续").is_empty());
    // The global search: title hits first, then bodies.
    let searched: Vec<i64> = articles::search(conn, &everyone, "续费", 5)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(searched, [ids[0], ids[1]]);
    let searched: Vec<i64> = articles::search(conn, &everyone, "时间和价", 5)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(searched, [ids[1]]);
});
