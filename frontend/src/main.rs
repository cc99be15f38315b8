//! `crm-web`, the first load: the sign-in page, then the app (see [`crm_web::boot`]).

fn main() {
    crm_web::boot::start();
}
