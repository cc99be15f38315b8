//! Service tickets of the demo and the generated company: complaints, feedback, consultations and
//! after-sale requests of every status — some waiting unassigned, some overdue, most resolved or
//! closed with the customer's rating — each with its timeline. Rows are made here for both.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use crm_db::bulk::{TicketEventRow, TicketRow};
use crm_domain::ticket::{TicketDueHours, TicketKind, TicketPriority, TicketStatus};
use std::collections::BTreeMap;

/// What customers say, per kind: (subject, resolution).
const SUBJECTS: [(TicketKind, &str, &str); 8] = [
    (
        TicketKind::Complaint,
        "网站打开很慢",
        "更换了服务器机房线路",
    ),
    (
        TicketKind::Complaint,
        "推广效果不如承诺",
        "调整了关键词和出价，约定月底复盘",
    ),
    (
        TicketKind::Feedback,
        "希望后台能导出报表",
        "已转产品部，下版本提供",
    ),
    (TicketKind::Feedback, "客服响应及时，表示感谢", "已转告团队"),
    (TicketKind::Consultation, "续费价格咨询", "已发送续费报价"),
    (
        TicketKind::Consultation,
        "如何修改网站联系电话",
        "远程协助修改完成",
    ),
    (TicketKind::AfterSale, "企业邮箱无法登录", "重置密码并恢复"),
    (
        TicketKind::AfterSale,
        "网站被篡改需要恢复",
        "恢复备份并加固",
    ),
];

/// Running ids and the day's ticket numbers.
#[derive(Default)]
pub(crate) struct TicketIds {
    pub ticket: i64,
    pub event: i64,
    pub numbers: BTreeMap<NaiveDate, i32>,
}

/// One ticket and its timeline, its kind, priority and fate chosen by `k`: opened by `opener` at
/// `opened` on `customer` (seen through `owner`), handled by `handler`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn ticket(
    ids: &mut TicketIds,
    k: u64,
    customer: i64,
    owner: i64,
    order: Option<i64>,
    opener: i64,
    handler: i64,
    opened: NaiveDateTime,
    now: NaiveDateTime,
    out: &mut (Vec<TicketRow>, Vec<TicketEventRow>),
) {
    let (kind, subject, resolution) = SUBJECTS[(k % SUBJECTS.len() as u64) as usize];
    let priority = TicketPriority::ALL[((k / 3) % 4) as usize];
    let hours = TicketDueHours::default().of(priority);
    let due = opened + Duration::hours(hours);
    let age = now - opened;
    // Recent ones are still open or in hand; older ones resolved, most of them closed.
    let status = if age < Duration::hours(4) || k.is_multiple_of(17) {
        TicketStatus::Open
    } else if age < Duration::days(2) || k.is_multiple_of(13) {
        TicketStatus::InProgress
    } else if k.is_multiple_of(5) {
        TicketStatus::Resolved
    } else {
        TicketStatus::Closed
    };
    let assignee = (status != TicketStatus::Open || k.is_multiple_of(2)).then_some(handler);
    let took = opened + Duration::minutes(20 + (k % 90) as i64);
    let resolved = matches!(status, TicketStatus::Resolved | TicketStatus::Closed)
        .then(|| (opened + Duration::hours(1 + (k % (hours as u64 + 6)) as i64)).min(now));
    let closed =
        (status == TicketStatus::Closed).then(|| resolved.unwrap_or(opened) + Duration::hours(2));
    let satisfaction = closed.map(|_| 3 + (k % 3) as i16);
    let day = opened.date();
    let seq = ids.numbers.entry(day).or_insert(0);
    *seq += 1;
    ids.ticket += 1;
    let id = ids.ticket;
    let mut event = |kind: &str,
                     status: Option<TicketStatus>,
                     assignee: Option<i64>,
                     body: Option<String>,
                     user: i64,
                     at: NaiveDateTime| {
        ids.event += 1;
        out.1.push(TicketEventRow {
            id: ids.event,
            ticket_id: id,
            kind: kind.into(),
            status: status.map(|s| s.as_str().to_string()),
            assignee_id: assignee,
            body,
            user_id: user,
            at,
        });
    };
    event(
        "created",
        Some(TicketStatus::Open),
        None,
        None,
        opener,
        opened,
    );
    if let Some(a) = assignee {
        event("assigned", None, Some(a), None, handler, took);
    }
    if status != TicketStatus::Open {
        event(
            "status",
            Some(TicketStatus::InProgress),
            None,
            None,
            handler,
            took,
        );
    }
    if let Some(r) = resolved {
        event(
            "status",
            Some(TicketStatus::Resolved),
            None,
            Some(resolution.to_string()),
            handler,
            r,
        );
    }
    if let (Some(c), Some(s)) = (closed, satisfaction) {
        event(
            "status",
            Some(TicketStatus::Closed),
            None,
            Some(s.to_string()),
            handler,
            c,
        );
    }
    out.0.push(TicketRow {
        id,
        number: format!("TK{}-{:04}", day.format("%Y%m%d"), *seq),
        kind: kind.as_str().into(),
        customer_id: customer,
        customer_owner_id: owner,
        order_id: order,
        priority: priority.as_str().into(),
        subject: subject.into(),
        description: Some(format!("客户来电：{subject}")),
        status: status.as_str().into(),
        assignee_id: assignee,
        resolution: resolved.map(|_| resolution.to_string()),
        satisfaction,
        due_at: due,
        resolved_at: resolved,
        closed_at: closed,
        created_by: opener,
        created_at: opened,
        updated_at: closed
            .or(resolved)
            .unwrap_or(if status == TicketStatus::Open {
                opened
            } else {
                took
            }),
    });
}

/// The demo company's tickets: two dozen on the salespeople's customers over the last two months,
/// handled by the service desk (`cs_a`).
pub(crate) fn seed_demo_tickets(
    conn: &mut crm_db::DbConnection,
    customers: &[(i64, i64)],
    handler: i64,
) -> anyhow::Result<usize> {
    if customers.is_empty() {
        return Ok(0);
    }
    let now = chrono::Utc::now().naive_utc();
    let mut ids = TicketIds::default();
    let mut out = (Vec::new(), Vec::new());
    for n in 0..24u64 {
        let (customer, owner) = customers[(n as usize * 7) % customers.len()];
        // Every ~2.5 days back over two months; the first few within hours (one of them overdue).
        let opened = now
            - Duration::hours(if n < 3 {
                1 + 3 * n as i64
            } else {
                n as i64 * 61
            });
        ticket(
            &mut ids, n, customer, owner, None, owner, handler, opened, now, &mut out,
        );
    }
    let days: Vec<(NaiveDate, i32)> = ids.numbers.iter().map(|(d, n)| (*d, *n)).collect();
    crm_db::write_tx(conn, |conn| {
        crm_db::bulk::insert_tickets(conn, &out.0)?;
        crm_db::bulk::insert_ticket_events(conn, &out.1)?;
        crm_db::bulk::insert_numbers(conn, crm_db::numbering::Numbered::Ticket, &days)?;
        crm_db::bulk::reset_sequences(conn)
    })?;
    Ok(out.0.len())
}
