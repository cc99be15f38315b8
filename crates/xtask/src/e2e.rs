//! Browser tests: playwright-core (npm) driving Debian's Chromium against a real `crm serve` on a fresh
//! database with the demo company. Screenshots land in `e2e/screenshots` (kept after failures).

use std::process::Command;

use anyhow::Result;

use crate::schemathesis::Server;
use crate::util::{self, run, try_output};

/// Chromium and a CJK font (without one, Chinese renders as boxes in screenshots).
fn ensure_browser() -> Result<()> {
    let mut missing = Vec::new();
    if !std::path::Path::new("/usr/bin/chromium").exists() {
        missing.push("chromium");
    }
    let has_cjk_font =
        try_output(Command::new("fc-list").arg(":lang=zh")).is_some_and(|out| !out.is_empty());
    if !has_cjk_font {
        missing.push("fonts-wqy-microhei");
    }
    if !missing.is_empty() {
        println!("    installing {}", missing.join(", "));
        util::apt_install(&missing)?;
    }
    Ok(())
}

pub fn run_e2e() -> Result<()> {
    ensure_browser()?;
    let root = util::workspace_root();
    let e2e = root.join("e2e");
    if !e2e.join("node_modules").join("playwright-core").is_dir() {
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&e2e))?;
    }
    run(util::cargo().args(["build", "-p", "crm-api", "--bin", "crm"]))?;
    let binary = util::target_dir().join("debug").join("crm");
    let workdir = util::target_dir().join("e2e");
    std::fs::create_dir_all(&workdir)?;
    let shots = e2e.join("screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let mut server = Server::start(&binary, &workdir.join("server.log"))?;
    server.wait_healthy()?;
    let result = run(Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/"])
        .current_dir(&e2e)
        .env("CRM_E2E_URL", server.base_url())
        .env("CRM_E2E_SCREENSHOTS", &shots));
    println!("    screenshots: {}", shots.display());
    result
}
