//! The web app's toolchain and build: a wasm32 target for the compiler, wasm-bindgen-cli, Trunk and
//! a working wasm-opt, each set up only when absent, then `trunk build` into `frontend/dist`.
//!
//! The ordinary route is rustup's `wasm32-unknown-unknown` target. Where rustup cannot download it
//! (machines that reach only package registries), Debian's `rustc-web` compiler is used with its own
//! standard-library sources and `-Z build-std` (see `shared/notes/wasm-toolchain.md`).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::util::{self, run, try_output};

const TRUNK_VERSION: &str = "0.21.14";
/// Debian's binaryen 108 produces modules Chromium rejects; npm's binaryen 132 works.
const BINARYEN_VERSION: &str = "132";
const DEBIAN_PACKAGES: [&str; 4] = ["rustc-web", "cargo-web", "rust-web-src", "lld-22"];

/// How to run cargo (through Trunk) for wasm32.
pub struct Toolchain {
    /// Environment for the build: on the Debian route, build-std settings and the linker.
    env: Vec<(String, String)>,
    /// Directories that go first on PATH (Debian's `cargo` for Trunk to call).
    path_first: Vec<PathBuf>,
    route: &'static str,
}

fn path_with(first: &[PathBuf]) -> String {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let mut parts: Vec<PathBuf> = first.to_vec();
    parts.extend(std::env::split_paths(&rest));
    std::env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn rustup_has_wasm() -> bool {
    try_output(Command::new("rustup").args(["target", "list", "--installed"]))
        .is_some_and(|out| out.lines().any(|l| l.trim() == "wasm32-unknown-unknown"))
}

fn try_rustup_add() -> bool {
    if util::which("rustup").is_none() {
        return false;
    }
    println!("    trying `rustup target add wasm32-unknown-unknown`");
    let mut child = match Command::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return false,
    };
    // A machine without internet access may hang rather than refuse: give it two minutes.
    for _ in 0..120 {
        if let Ok(Some(status)) = child.try_wait() {
            return status.success();
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    let _ = child.kill();
    false
}

fn debian_ready() -> bool {
    let rustc_ok = try_output(Command::new("/usr/bin/rustc").arg("--version"))
        .is_some_and(|v| v.starts_with("rustc 1.9"));
    rustc_ok
        && PathBuf::from("/usr/lib/rustlib/src/rust/library/std").is_dir()
        && PathBuf::from("/usr/bin/cargo").exists()
        && util::which("ld.lld-22")
            .or_else(|| util::which("rust-lld"))
            .is_some()
}

/// Debian's rustc-web expects `rust-lld`, which Debian 12 does not ship; LLVM's `wasm-ld` does the job.
fn wasm_linker() -> Option<PathBuf> {
    util::which("rust-lld")
        .or_else(|| util::which("wasm-ld-22"))
        .or_else(|| util::which("wasm-ld"))
}

/// Finds or sets up a compiler that can build wasm32.
pub fn compiler() -> Result<Toolchain> {
    if rustup_has_wasm() || (!debian_ready() && try_rustup_add()) {
        return Ok(Toolchain {
            env: Vec::new(),
            path_first: Vec::new(),
            route: "rustup target wasm32-unknown-unknown",
        });
    }
    if !debian_ready() {
        println!("    rustup cannot provide wasm32 here: using Debian's rustc-web with build-std");
        util::apt_install(&DEBIAN_PACKAGES)?;
        if !debian_ready() {
            bail!(
                "Debian's rustc-web did not install a usable compiler (need /usr/bin/rustc ≥ 1.90 and rust-web-src)"
            );
        }
    }
    Ok(Toolchain {
        env: vec![
            ("RUSTC_BOOTSTRAP".into(), "1".into()),
            ("CARGO_UNSTABLE_BUILD_STD".into(), "std,panic_abort".into()),
            ("RUSTC".into(), "/usr/bin/rustc".into()),
            ("RUSTDOC".into(), "/usr/bin/rustdoc".into()),
            ("CARGO".into(), "/usr/bin/cargo".into()),
            (
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER".into(),
                wasm_linker()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "rust-lld".into()),
            ),
        ],
        path_first: vec![PathBuf::from("/usr/bin")],
        route: "Debian rustc-web with build-std",
    })
}

fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(util::workspace_root().join("Cargo.lock"))
        .context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin").join(name)
}

fn tool_version(bin: &PathBuf) -> Option<String> {
    try_output(Command::new(bin).arg("--version"))
}

/// `cargo install` of a pinned version, unless that version is already there.
fn ensure_cargo_tool(krate: &str, bin: &str, version: &str, extra: &[&str]) -> Result<PathBuf> {
    let path = util::which(bin).unwrap_or_else(|| cargo_bin(bin));
    if tool_version(&path).is_some_and(|v| v.contains(version)) {
        println!("    {bin} {version}: present");
        return Ok(path);
    }
    println!("    installing {krate} {version} (a few minutes, once)");
    let started = std::time::Instant::now();
    let install = |locked: bool| {
        let mut cmd = util::cargo();
        cmd.args(["install", krate, "--version", version])
            .args(extra);
        if locked {
            cmd.arg("--locked");
        }
        // Both tools build in one target directory, so what they share compiles once; and
        // unoptimised: they transform one file per build, which takes them about as long either
        // way (a trunk build 37.4 s against 35.8 s, most of it wasm-opt's), while optimising them
        // took 5 min 41 s of a first run instead of 2 min 45 s (measured, see README).
        cmd.env(
            "CARGO_TARGET_DIR",
            util::target_dir().join("tools").join("build"),
        )
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true");
        run(&mut cmd)
    };
    // `--locked` first, for the versions its authors tested; a lockfile that names a since-yanked
    // crate (wasm-bindgen-cli 0.2.130 does) fails that way, so then without it.
    if install(true).is_err() {
        println!("    retrying without --locked");
        install(false)?;
    }
    let path = cargo_bin(bin);
    if tool_version(&path).is_none() {
        bail!("{bin} was installed but does not run");
    }
    println!(
        "    {bin} {version}: installed in {}",
        util::fmt_duration(started.elapsed())
    );
    Ok(path)
}

/// npm's binaryen, in target/tools, unless present.
fn ensure_wasm_opt() -> Result<PathBuf> {
    let dir = util::target_dir().join("tools").join("binaryen");
    let bin = dir.join("node_modules").join(".bin");
    if tool_version(&bin.join("wasm-opt")).is_some_and(|v| v.contains(BINARYEN_VERSION)) {
        println!("    wasm-opt {BINARYEN_VERSION}: present");
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir)?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("binaryen@{BINARYEN_VERSION}")))?;
    Ok(bin)
}

/// The charts bundle (`frontend/vendor/charts.js`): the pinned ECharts and esbuild from npm
/// (`npm ci`, which the lock file keeps exact), then esbuild; skipped when the bundle is newer
/// than everything it is made from.
fn build_charts() -> Result<()> {
    let dir = util::workspace_root().join("frontend");
    let out = dir.join("vendor").join("charts.js");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let inputs = ["charts.js", "package.json", "package-lock.json"].map(|f| dir.join(f));
    if let Some(built) = modified(&out)
        && inputs
            .iter()
            .all(|f| modified(f).is_some_and(|m| m <= built))
    {
        println!("    charts bundle: present");
        return Ok(());
    }
    run(Command::new("npm")
        .current_dir(&dir)
        .args(["ci", "--no-audit", "--no-fund"]))?;
    run(Command::new("npm").current_dir(&dir).args(["run", "build"]))?;
    Ok(())
}

/// Sets up everything and builds `frontend/dist`.
pub fn build() -> Result<()> {
    build_charts()?;
    let toolchain = compiler()?;
    println!("    compiler: {}", toolchain.route);
    let wb_version = wasm_bindgen_version()?;
    let wasm_bindgen = ensure_cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &wb_version, &[])?;
    // Without its default features: no TLS stack and no check for updates, which an offline build
    // that is handed its tools never uses.
    let trunk = ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, &["--no-default-features"])?;
    let wasm_opt_dir = ensure_wasm_opt()?;
    // npm's wasm-opt before anything (Debian's binaryen 108 must not win), then the compiler's cargo.
    let mut bin_dirs = vec![wasm_opt_dir];
    bin_dirs.extend(toolchain.path_first.iter().cloned());
    bin_dirs.extend(wasm_bindgen.parent().map(PathBuf::from));
    let mut cmd = Command::new(&trunk);
    cmd.current_dir(util::workspace_root())
        .args(["build", "--release", "--offline"])
        .env("PATH", path_with(&bin_dirs))
        // Its own target directory: the wasm build may use another compiler than the server's.
        .env("CARGO_TARGET_DIR", util::target_dir().join("web"))
        // Shipped small: size over speed, link-time optimisation, one codegen unit (only this build).
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
        // Leptos's components and view closures type-erased: a fifth less code (5.42 → 4.39 MB of
        // wasm for the whole app, measured 2026-12-06) and half the compile time.
        .env("RUSTFLAGS", "--cfg erase_components")
        .env("TRUNK_TOOLS_WASM_BINDGEN", &wb_version)
        .env(
            "TRUNK_TOOLS_WASM_OPT",
            format!("version_{BINARYEN_VERSION}"),
        );
    for (k, v) in &toolchain.env {
        cmd.env(k, v);
    }
    let started = std::time::Instant::now();
    run(&mut cmd)?;
    println!("    trunk build: {}", util::fmt_duration(started.elapsed()));
    let index = util::workspace_root()
        .join("frontend")
        .join("dist")
        .join("index.html");
    if !index.is_file() {
        bail!("trunk finished but {} is missing", index.display());
    }
    name_app_by_content(&index)?;
    precompress(index.parent().unwrap_or(&index))
}

/// The program behind the sign-in page (`frontend/index.html`'s `data-type="worker"` link).
const APP: &str = "crm-app";

/// The app behind the sign-in page ([`APP`], built by Trunk as a "worker" so that it is not
/// started with the page) comes out of Trunk under fixed names. Names them by content, like
/// Trunk's own assets (so the server sends them as immutable), and tells the page where they are:
/// `<meta name="crm-app" content="/crm-app-HASH.js" data-wasm="/crm-app-HASH_bg.wasm">`.
fn name_app_by_content(index: &std::path::Path) -> Result<()> {
    use std::hash::{DefaultHasher, Hasher};
    let dist = index.parent().unwrap_or(index);
    let hashed = |data: &[u8]| {
        let mut h = DefaultHasher::new();
        h.write(data);
        format!("{:016x}", h.finish())
    };
    let (js_path, wasm_path) = (
        dist.join(format!("{APP}.js")),
        dist.join(format!("{APP}_bg.wasm")),
    );
    let wasm =
        std::fs::read(&wasm_path).with_context(|| format!("reading {}", wasm_path.display()))?;
    let wasm_name = format!("{APP}-{}_bg.wasm", hashed(&wasm));
    let js = std::fs::read_to_string(&js_path)
        .with_context(|| format!("reading {}", js_path.display()))?;
    // The script's own default for its wasm, renamed with it.
    let default = format!("'{APP}_bg.wasm'");
    if !js.contains(&default) {
        bail!(
            "{} does not name its wasm as {default}: wasm-bindgen's output changed",
            js_path.display()
        );
    }
    let js = js.replace(&default, &format!("'{wasm_name}'"));
    let js_name = format!("{APP}-{}.js", hashed(js.as_bytes()));
    std::fs::rename(&wasm_path, dist.join(&wasm_name))?;
    std::fs::write(dist.join(&js_name), js)?;
    std::fs::remove_file(&js_path)?;
    let html = std::fs::read_to_string(index)?;
    let meta = format!("<meta name=\"{APP}\" content=\"/{js_name}\" data-wasm=\"/{wasm_name}\">");
    let Some(at) = html.find("</head>") else {
        bail!("{} has no </head>", index.display());
    };
    std::fs::write(index, format!("{}{meta}{}", &html[..at], &html[at..]))?;
    Ok(())
}

/// Writes a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy beside each hashed asset
/// of the build, which the server sends to browsers that take them (`web_app::serve_asset`), and
/// prints the sizes: the first load of a phone on a mobile network is the `.br` column.
fn precompress(dist: &std::path::Path) -> Result<()> {
    let started = std::time::Instant::now();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "wasm" | "js" | "css") {
            let data = std::fs::read(&path)?;
            files.push((path, data));
        }
    }
    // Every file in both encodings at once, each on a thread of its own: the app's wasm at
    // brotli's best takes longest, and the other core has the rest to do meanwhile.
    let compressed: Vec<(Vec<u8>, Vec<u8>)> = std::thread::scope(|scope| {
        let jobs: Vec<_> = files
            .iter()
            .map(|(_, data)| {
                let br = scope.spawn(|| brotli_best(data));
                let gz = scope.spawn(|| gzip_best(data));
                (br, gz)
            })
            .collect();
        jobs.into_iter()
            .map(|(br, gz)| {
                let joined = |h: std::thread::ScopedJoinHandle<'_, std::io::Result<Vec<u8>>>| {
                    h.join()
                        .map_err(|_| anyhow::anyhow!("compressing panicked"))?
                        .map_err(anyhow::Error::from)
                };
                Ok((joined(br)?, joined(gz)?))
            })
            .collect::<Result<_>>()
    })?;
    let mut rows = Vec::new();
    let (mut plain_total, mut br_total, mut gz_total) = (0, 0, 0);
    for ((path, data), (br, gz)) in files.iter().zip(compressed) {
        let with = |suffix: &str| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        std::fs::write(with(".br"), &br)?;
        std::fs::write(with(".gz"), &gz)?;
        // The first load is the sign-in page: the app comes behind it, the charts with the
        // report pages.
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name != "charts.js" && !name.starts_with(&format!("{APP}-")) {
            plain_total += data.len();
            br_total += br.len();
            gz_total += gz.len();
        }
        rows.push(format!(
            "    {:<40} {:>9} B   gzip {:>9} B   brotli {:>9} B",
            name,
            data.len(),
            gz.len(),
            br.len()
        ));
    }
    rows.sort();
    println!(
        "    precompressed assets ({}):",
        util::fmt_duration(started.elapsed())
    );
    for row in rows {
        println!("{row}");
    }
    println!(
        "    {:<40} {plain_total:>9} B   gzip {gz_total:>9} B   brotli {br_total:>9} B",
        "first load (all but crm-app and charts.js)"
    );
    Ok(())
}

fn brotli_best(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

fn gzip_best(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data)?;
    gz.finish()
}
