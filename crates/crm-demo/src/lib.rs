//! What a new database starts with (the standard roles and dictionaries), the demo company of the
//! specification (`crm serve --demo`), and a large, realistic company for benchmarks
//! (`crm generate`). Everything goes through crm-db: its repositories, and for the generator its
//! bulk loader; nothing here knows which database it writes to.

pub mod deals;
pub mod documents;
pub(crate) mod expenses;
pub mod generate;
pub(crate) mod knowledge;
pub mod seed;
pub(crate) mod tickets;

use crm_db::{Actor, Visible};
use crm_domain::Permission;

/// A demo user as the repositories take them: seeding acts for each owner, seeing everything.
pub(crate) fn acting_as(user_id: i64) -> Actor {
    Actor::new(user_id, Permission::ALL.to_vec(), Visible::All)
}
