//! `crm`: serve the CRM, migrate its database, create an administrator, print the OpenAPI document.

use anyhow::Context;
use clap::{Parser, Subcommand};
use crm_api::config::{DatabaseConfig, ServeConfig};
use crm_demo::seed;
use crm_domain::api::NewUser;
use crm_domain::roles::StandardRole;
use validator::Validate;

/// jemalloc: under 16 clients on a million customers the server peaked at ~196 MB with glibc's
/// malloc (an arena per busy thread, each keeping what was freed) and at ~110 MB with jemalloc, at
/// the same speed.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "crm",
    version,
    about = "A CRM for fast-growing sales companies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (migrations run first).
    Serve(ServeConfig),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseConfig),
    /// Create an administrator (password from CRM_ADMIN_PASSWORD or a prompt).
    CreateAdmin {
        #[arg(long)]
        username: String,
        /// Shown name; defaults to the username.
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Copy the SQLite database to a new file while the server runs (a consistent snapshot,
    /// checked before it takes its name), and the documents it names to `<FILE>.documents/`.
    /// For PostgreSQL use `pg_dump` and copy the document directory (see the README).
    Backup {
        /// The backup file to write; it must not exist.
        #[arg(long)]
        to: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Put a backup in place as the database, which must not exist yet, and its documents into
    /// the document directory; newer migrations are applied. Start the server on it afterwards.
    Restore {
        /// The backup file made by `crm backup`.
        #[arg(long)]
        from: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Fill an empty database with a large, realistic company for benchmarks: the demo logins in
    /// about 200 users, N customers with about 2 contacts, 5 activities and 0.3 orders each.
    Generate {
        /// How many customers.
        #[arg(long)]
        customers: usize,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

fn main() -> std::process::ExitCode {
    match actix_web::rt::System::new().block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // A clear message, not a backtrace: these are the user's mistakes (a bad URL, a taken name).
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let logs = tracing_subscriber::fmt().with_env_filter(
        tracing_subscriber::EnvFilter::try_from_env("CRM_LOG")
            .unwrap_or_else(|_| "info,actix_server=warn".into()),
    );
    // One JSON object per line for log collectors; the request's span (method, route, request
    // id, user) is flattened into each line logged while it runs.
    match std::env::var("CRM_LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().flatten_event(true).with_span_list(false).init(),
        Ok("text") | Err(_) => logs.init(),
        Ok(other) => anyhow::bail!("CRM_LOG_FORMAT must be `text` or `json`, not `{other}`"),
    }
    match Cli::parse().command {
        Command::Serve(config) => serve(config).await,
        Command::Migrate(db) => {
            crm_db::Db::connect(&db.database_url, 1)?;
            println!("migrations applied to {}", db.database_url);
            Ok(())
        }
        Command::CreateAdmin {
            username,
            display_name,
            database,
        } => create_admin(username, display_name, database),
        Command::Backup { to, database } => {
            let done = crm_db::backup::backup(&database.database_url, &to)?;
            println!(
                "backed up {} to {} in {:.1} s: {} tables, {} rows, {} bytes (integrity checked)",
                database.database_url,
                done.path.display(),
                done.seconds,
                done.fingerprint.rows.len(),
                done.fingerprint.total_rows(),
                done.bytes
            );
            let store = crm_db::files::Store::open(database.documents_dir())?;
            let (files, bytes) = crm_db::backup::backup_documents(&to, &store)?;
            println!(
                "copied {files} document files ({bytes} bytes) from {} to {}",
                store.root().display(),
                crm_db::backup::documents_of(&to).display()
            );
            Ok(())
        }
        Command::Restore { from, database } => {
            let done = crm_db::backup::restore(&from, &database.database_url)?;
            println!(
                "restored {} into {} in {:.1} s: {} tables, {} rows (integrity checked, migrations current)",
                from.display(),
                done.path.display(),
                done.seconds,
                done.fingerprint.rows.len(),
                done.fingerprint.total_rows()
            );
            let store = crm_db::files::Store::open(database.documents_dir())?;
            let (files, bytes) =
                crm_db::backup::restore_documents(&from, &database.database_url, &store)?;
            println!(
                "restored {files} document files ({bytes} bytes) into {}",
                store.root().display()
            );
            Ok(())
        }
        Command::Openapi => {
            print!("{}", crm_api::openapi_json());
            Ok(())
        }
        Command::Generate {
            customers,
            seed,
            quiet,
            database,
        } => {
            let db = crm_db::Db::connect(&database.database_url, 1)?;
            let mut conn = db.get()?;
            let hash = crm_api::auth::password::hash_now(seed::DEMO_PASSWORD)?;
            let s = crm_demo::generate::generate(&mut conn, customers, seed, !quiet, &hash)?;
            println!(
                "generated in {:.1} s: {} users, {} customers, {} contacts, {} activities, {} reminders, {} orders, {} installments, {} receipts, {} opportunities, {} expenses, {} tickets, {} articles",
                s.seconds,
                s.users,
                s.customers,
                s.contacts,
                s.activities,
                s.reminders,
                s.orders,
                s.installments,
                s.receipts,
                s.opportunities,
                s.expenses,
                s.tickets,
                s.articles
            );
            Ok(())
        }
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let demo = config.demo;
    let db_url = config.database.database_url.clone();
    let running = crm_api::start(config).await?;
    let url = format!("http://{}", running.addr);
    println!("CRM listening on {url}  (database: {db_url})");
    println!("API reference: {url}/api/docs/");
    if running.seeded_demo || demo {
        if running.seeded_demo {
            println!("Seeded the demo company.");
        }
        println!("Demo logins (password {}):", seed::DEMO_PASSWORD);
        for (username, name, dept, role) in seed::DEMO_USERS {
            println!("  {username:<10} {name} · {dept} · {}", role.name());
        }
    }
    running.server.await?;
    Ok(())
}

fn create_admin(
    username: String,
    display_name: Option<String>,
    database: DatabaseConfig,
) -> anyhow::Result<()> {
    let password = match std::env::var("CRM_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let no_tty = "cannot ask for a password without a terminal: set CRM_ADMIN_PASSWORD";
            let p = rpassword::prompt_password("Password for the new administrator: ")
                .context(no_tty)?;
            let again = rpassword::prompt_password("Again: ").context(no_tty)?;
            anyhow::ensure!(p == again, "the passwords differ");
            p
        }
    };
    let db = crm_db::Db::connect(&database.database_url, 1)?;
    let mut conn = db.get()?;
    seed::ensure_base_data(&mut conn)?;
    let role = crm_db::roles::find_standard(&mut conn, StandardRole::Administrator)?
        .context("the administrator role is missing")?;
    let department = match crm_db::departments::find_by_name(&mut conn, "行政部")? {
        Some(id) => id,
        None => {
            let new = crm_domain::api::NewDepartment {
                name: "行政部".into(),
                parent_id: None,
                sort_order: 0,
            };
            crm_db::departments::create(&mut conn, &crm_db::Actor::system(), &new)?.id
        }
    };
    let new = NewUser {
        display_name: display_name.unwrap_or_else(|| username.clone()),
        username,
        password,
        department_id: department,
        role_ids: vec![role],
        email: None,
        phone: None,
    };
    if let Err(errors) = new.validate() {
        let problem = crm_api::error::ApiError::from(errors).problem(crm_domain::Lang::En);
        anyhow::bail!("{}", problem.detail);
    }
    let hash = crm_api::auth::password::hash_now(&new.password)?;
    let user = crm_db::users::create(&mut conn, &crm_db::Actor::system(), &new, &hash)?;
    println!("created administrator `{}` (id {})", user.username, user.id);
    Ok(())
}
