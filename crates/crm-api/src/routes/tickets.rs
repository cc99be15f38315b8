//! Service tickets (服务工单): anyone who sees a customer may open one and comment
//! (`service.read`); service staff handle them (`service.write`).

use super::prelude::*;
use crm_db::tickets;
use crm_domain::api::{
    NewTicket, NewTicketComment, Page, ServiceReport, ServiceReportQuery, Ticket, TicketAssign,
    TicketClose, TicketEvent, TicketPatch, TicketQuery, TicketResolve, TicketStatusChange,
};
use crm_domain::ticket::TicketAction;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_tickets)
        .service(create_ticket)
        .service(get_ticket)
        .service(update_ticket)
        .service(assign_ticket)
        .service(start_ticket)
        .service(resolve_ticket)
        .service(close_ticket)
        .service(reopen_ticket)
        .service(ticket_events)
        .service(comment_ticket)
        .service(service_report);
}

/// The tickets of customers the caller sees, last changed first.
#[utoipa::path(tag = "service", params(TicketQuery), responses((status = 200, body = Page<Ticket>)))]
#[get("/tickets")]
async fn list_tickets(
    caller: Caller<need::ServiceRead>,
    q: Query<TicketQuery>,
) -> ApiResult<Json<Page<Ticket>>> {
    caller
        .run(move |conn, actor| tickets::list(conn, actor, &q))
        .await
        .map(Json)
}

/// Opens a ticket on a customer the caller sees; due from its priority. 422 `not_of_customer`
/// for an order or contact of another customer, `not_a_handler` for an assignee who does not
/// handle tickets.
#[utoipa::path(tag = "service", request_body = NewTicket, responses((status = 201, body = Ticket)))]
#[post("/tickets")]
async fn create_ticket(
    caller: Caller<need::ServiceRead>,
    new: Json<NewTicket>,
) -> ApiResult<Created<Ticket>> {
    caller
        .run(move |conn, actor| tickets::create(conn, actor, &new))
        .await
        .map(Created)
}

#[utoipa::path(tag = "service", params(("id" = i64, Path)), responses((status = 200, body = Ticket)))]
#[get("/tickets/{id}")]
async fn get_ticket(caller: Caller<need::ServiceRead>, id: Path<i64>) -> ApiResult<Json<Ticket>> {
    caller
        .run(move |conn, actor| tickets::get(conn, actor, *id))
        .await
        .map(Json)
}

/// Changes the subject, description or priority (409 `ticket_closed` once closed).
#[utoipa::path(tag = "service", params(("id" = i64, Path)), request_body = TicketPatch, responses((status = 200, body = Ticket)))]
#[patch("/tickets/{id}")]
async fn update_ticket(
    caller: Caller<need::ServiceWrite>,
    id: Path<i64>,
    patch: Json<TicketPatch>,
) -> ApiResult<Json<Ticket>> {
    caller
        .run(move |conn, actor| tickets::update(conn, actor, *id, &patch))
        .await
        .map(Json)
}

/// Gives the ticket to someone who handles tickets, or to nobody (`null`); they are told.
#[utoipa::path(tag = "service", params(("id" = i64, Path)), request_body = TicketAssign, responses((status = 200, body = Ticket)))]
#[post("/tickets/{id}/assign")]
async fn assign_ticket(
    caller: Caller<need::ServiceWrite>,
    id: Path<i64>,
    body: Json<TicketAssign>,
) -> ApiResult<Json<Ticket>> {
    let TicketAssign {
        assignee_id,
        version,
    } = body.into_inner();
    caller
        .run(move |conn, actor| tickets::assign(conn, actor, *id, assignee_id, version))
        .await
        .map(Json)
}

async fn act(
    caller: Caller<need::ServiceWrite>,
    id: i64,
    action: TicketAction,
    version: i32,
    resolution: Option<String>,
    satisfaction: Option<i16>,
) -> ApiResult<Json<Ticket>> {
    caller
        .run(move |conn, actor| {
            tickets::act(
                conn,
                actor,
                id,
                action,
                version,
                resolution.as_deref(),
                satisfaction,
            )
        })
        .await
        .map(Json)
}

/// Open → in progress. 409 `invalid_status_move` otherwise.
#[utoipa::path(tag = "service", params(("id" = i64, Path)), request_body = TicketStatusChange, responses((status = 200, body = Ticket)))]
#[post("/tickets/{id}/start")]
async fn start_ticket(
    caller: Caller<need::ServiceWrite>,
    id: Path<i64>,
    body: Json<TicketStatusChange>,
) -> ApiResult<Json<Ticket>> {
    act(caller, *id, TicketAction::Start, body.version, None, None).await
}

/// Open or in progress → resolved, with what was done.
#[utoipa::path(tag = "service", params(("id" = i64, Path)), request_body = TicketResolve, responses((status = 200, body = Ticket)))]
#[post("/tickets/{id}/resolve")]
async fn resolve_ticket(
    caller: Caller<need::ServiceWrite>,
    id: Path<i64>,
    body: Json<TicketResolve>,
) -> ApiResult<Json<Ticket>> {
    let TicketResolve {
        resolution,
        version,
    } = body.into_inner();
    act(
        caller,
        *id,
        TicketAction::Resolve,
        version,
        Some(resolution),
        None,
    )
    .await
}

/// Resolved → closed, with the customer's satisfaction (1–5). An open ticket is resolved first
/// (409 `invalid_status_move`).
#[utoipa::path(tag = "service", params(("id" = i64, Path)), request_body = TicketClose, responses((status = 200, body = Ticket)))]
#[post("/tickets/{id}/close")]
async fn close_ticket(
    caller: Caller<need::ServiceWrite>,
    id: Path<i64>,
    body: Json<TicketClose>,
) -> ApiResult<Json<Ticket>> {
    let TicketClose {
        satisfaction,
        version,
    } = body.into_inner();
    act(
        caller,
        *id,
        TicketAction::Close,
        version,
        None,
        Some(satisfaction),
    )
    .await
}

/// Resolved or closed → open again.
#[utoipa::path(tag = "service", params(("id" = i64, Path)), request_body = TicketStatusChange, responses((status = 200, body = Ticket)))]
#[post("/tickets/{id}/reopen")]
async fn reopen_ticket(
    caller: Caller<need::ServiceWrite>,
    id: Path<i64>,
    body: Json<TicketStatusChange>,
) -> ApiResult<Json<Ticket>> {
    act(caller, *id, TicketAction::Reopen, body.version, None, None).await
}

/// The ticket's timeline: opened, assignments, status moves and comments, oldest first.
#[utoipa::path(tag = "service", params(("id" = i64, Path)), responses((status = 200, body = Vec<TicketEvent>)))]
#[get("/tickets/{id}/comments")]
async fn ticket_events(
    caller: Caller<need::ServiceRead>,
    id: Path<i64>,
) -> ApiResult<Json<Vec<TicketEvent>>> {
    caller
        .run(move |conn, actor| tickets::events(conn, actor, *id))
        .await
        .map(Json)
}

#[utoipa::path(tag = "service", params(("id" = i64, Path)), request_body = NewTicketComment, responses((status = 201, body = TicketEvent)))]
#[post("/tickets/{id}/comments")]
async fn comment_ticket(
    caller: Caller<need::ServiceRead>,
    id: Path<i64>,
    new: Json<NewTicketComment>,
) -> ApiResult<Created<TicketEvent>> {
    caller
        .run(move |conn, actor| tickets::comment(conn, actor, *id, &new))
        .await
        .map(Created)
}

/// Tickets opened in the period per type (default), status, assignee, customer or month, within
/// the caller's scope: counts, pending, overdue, resolved, average hours to resolve, satisfaction.
#[utoipa::path(tag = "reports", params(ServiceReportQuery), responses((status = 200, body = ServiceReport)))]
#[get("/reports/service")]
async fn service_report(
    caller: Caller<need::Either<need::ServiceRead, need::ReportRead>>,
    q: Query<ServiceReportQuery>,
) -> ApiResult<Json<ServiceReport>> {
    caller
        .run(move |conn, actor| tickets::report(conn, actor, &q))
        .await
        .map(Json)
}
