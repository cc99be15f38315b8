//! Expenses of the demo and the generated company: what a salesperson spends to sell — taxis to
//! visits, meals with clients, gifts, trips — approved by their manager after a few days, a few
//! rejected, the last fortnight's still waiting. Rows are made here for both, deterministically.

use anyhow::Result;
use chrono::{Days, NaiveDate, NaiveDateTime};
use crm_db::DbConnection;
use crm_db::bulk::{self, ExpenseRow};
use crm_domain::api::DictionaryKind;
use std::collections::HashMap;

/// What an expense was for, by category position (the dictionary's order: 交通, 招待, 礼品, 通讯,
/// 其他, 差旅, 推广物料), with a typical amount in fen.
const PURPOSES: [(&str, i64); 7] = [
    ("拜访客户打车往返", 4_600),
    ("请客户吃饭", 38_800),
    ("节日礼品", 26_000),
    ("手机话费", 12_800),
    ("打印宣传资料", 9_500),
    ("外地客户差旅住宿", 68_000),
    ("展会易拉宝和彩页", 45_000),
];

/// Who spends, where, and who decides their expenses.
pub(crate) struct Spenders {
    pub department: HashMap<i64, i64>,
    pub approver: HashMap<i64, i64>,
    pub categories: Vec<i64>,
}

impl Spenders {
    /// Each seller's department, and as approver their department's manager (a manager's own
    /// go to `above`).
    pub fn load(conn: &mut DbConnection, sellers: &[(i64, bool)], above: i64) -> Result<Spenders> {
        let department: HashMap<i64, i64> = bulk::user_departments(conn)?.into_iter().collect();
        let managers: HashMap<i64, i64> = sellers
            .iter()
            .filter(|(_, manager)| *manager)
            .filter_map(|(id, _)| department.get(id).map(|d| (*d, *id)))
            .collect();
        let approver = sellers
            .iter()
            .map(|(id, manager)| {
                let by = if *manager {
                    above
                } else {
                    department
                        .get(id)
                        .and_then(|d| managers.get(d))
                        .copied()
                        .unwrap_or(above)
                };
                (*id, by)
            })
            .collect();
        let categories = crm_db::dictionaries::list(conn, DictionaryKind::ExpenseCategory, false)?
            .into_iter()
            .map(|c| c.id)
            .collect();
        Ok(Spenders {
            department,
            approver,
            categories,
        })
    }

    /// One expense, its kind and fate chosen by `k`: spent on `day` by `spender` (for `customer`
    /// if any); decided a few days later unless within the last fortnight, one in twelve rejected.
    pub fn row(
        &self,
        id: i64,
        k: u64,
        spender: i64,
        customer: Option<i64>,
        day: NaiveDate,
        today: NaiveDate,
    ) -> Option<ExpenseRow> {
        if self.categories.is_empty() {
            return None;
        }
        let c = (k % self.categories.len() as u64) as usize;
        let (what, typical) = PURPOSES[c % PURPOSES.len()];
        // 50 % to 150 % of the typical amount, to the yuan.
        let amount =
            (typical / 2 + (k.wrapping_mul(7919) % (typical as u64 + 1)) as i64) / 100 * 100;
        let at = |d: NaiveDate, hour: u32| -> NaiveDateTime {
            d.and_hms_opt(hour, 0, 0).unwrap_or_default()
        };
        let waiting = (today - day).num_days() < 14;
        let rejected = !waiting && k % 12 == 7;
        let decided = (!waiting).then(|| (day + Days::new(2 + k % 5)).min(today));
        Some(ExpenseRow {
            id,
            spender_id: spender,
            department_id: *self.department.get(&spender)?,
            spent_on: day,
            amount: amount.max(100),
            category_id: self.categories[c],
            description: what.to_string(),
            customer_id: customer,
            status: if waiting {
                "submitted"
            } else if rejected {
                "rejected"
            } else {
                "approved"
            }
            .into(),
            decided_by: decided.and(self.approver.get(&spender).copied()),
            decided_at: decided.map(|d| at(d, 10)),
            reason: rejected.then(|| "没有发票".to_string()),
            created_by: spender,
            created_at: at(day, 18),
            updated_at: at(decided.unwrap_or(day), 18),
        })
    }
}

/// A year of the demo company's expenses: three a month for every seller and manager, each on one
/// of their own customers when they have any.
pub(crate) fn seed_demo_expenses(
    conn: &mut DbConnection,
    sellers: &[(i64, bool)],
    above: i64,
    customers: &[(i64, i64)],
) -> Result<usize> {
    let today = crm_db::settings::today(conn)?;
    let spenders = Spenders::load(conn, sellers, above)?;
    let mut rows = Vec::new();
    for (n, &(spender, _)) in sellers.iter().enumerate() {
        let theirs: Vec<i64> = customers
            .iter()
            .filter(|(_, owner)| *owner == spender)
            .map(|(id, _)| *id)
            .collect();
        for m in 0..36u64 {
            let k = n as u64 * 1000 + m;
            let Some(day) = today.checked_sub_days(Days::new(m * 10 + (k % 3))) else {
                continue;
            };
            let customer =
                (!theirs.is_empty() && m % 3 != 2).then(|| theirs[(m as usize) % theirs.len()]);
            if let Some(row) = spenders.row(rows.len() as i64 + 1, k, spender, customer, day, today)
            {
                rows.push(row);
            }
        }
    }
    crm_db::write_tx(conn, |conn| {
        bulk::insert_expenses(conn, &rows)?;
        bulk::reset_sequences(conn)
    })?;
    Ok(rows.len())
}
