//! In-app notifications (通知). Written by the modules that have news (transfers so far); listing
//! them and the bell come with the activities issue.

use crate::schema::notifications as n;
use crate::{DbConnection, now};
use diesel::prelude::*;

/// One notification for one user.
pub struct Notice<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub entity: Option<&'a str>,
    pub entity_id: Option<i64>,
}

pub fn notify(conn: &mut DbConnection, user_id: i64, notice: &Notice) -> QueryResult<()> {
    diesel::insert_into(n::table)
        .values((
            n::user_id.eq(user_id),
            n::kind.eq(notice.kind),
            n::title.eq(notice.title),
            n::body.eq(notice.body),
            n::entity.eq(notice.entity),
            n::entity_id.eq(notice.entity_id),
            n::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}
