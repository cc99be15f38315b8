//! `crm-app`: the whole app, started by `crm-web` once there is a session.

fn main() {
    crm_web::start_app();
}
