//! Generates the `i18n` module from `locales/*.json` with leptos_i18n: every key becomes a method, so
//! a key used in code but missing from the default locale does not compile. leptos_i18n only warns
//! when another locale lacks a key; here that is an error too, so both languages stay complete.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};

const LOCALES: [&str; 2] = ["zh-CN", "en"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    check_same_keys(&dir)?;
    let cfg = Config::new(LOCALES[0])?
        .add_locales(&LOCALES[1..])?
        .locales_path(dir.to_string_lossy().into_owned())
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(cfg)?;
    infos.rerun_if_locales_changed();
    infos.emit_diagnostics();
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("i18n");
    infos.generate_i18n_module(out)?;
    Ok(())
}

/// Every locale has exactly the keys of the others, each with some text.
fn check_same_keys(dir: &Path) -> Result<(), Box<dyn Error>> {
    let mut sets = Vec::new();
    for locale in LOCALES {
        let path = dir.join(format!("{locale}.json"));
        let text = std::fs::read_to_string(&path)?;
        let value: serde_json::Value = serde_json::from_str(&text)?;
        let mut keys = BTreeSet::new();
        collect(&value, String::new(), &mut keys, locale)?;
        sets.push((locale, keys));
    }
    let (first, first_keys) = &sets[0];
    for (locale, keys) in &sets[1..] {
        let missing: Vec<_> = first_keys.difference(keys).collect();
        let extra: Vec<_> = keys.difference(first_keys).collect();
        if !missing.is_empty() || !extra.is_empty() {
            return Err(format!(
                "locales/{locale}.json differs from locales/{first}.json: missing {missing:?}, extra {extra:?}"
            )
            .into());
        }
    }
    Ok(())
}

fn collect(
    value: &serde_json::Value,
    prefix: String,
    keys: &mut BTreeSet<String>,
    locale: &str,
) -> Result<(), Box<dyn Error>> {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect(v, key, keys, locale)?;
            }
        }
        serde_json::Value::String(text) if !text.trim().is_empty() => {
            keys.insert(prefix);
        }
        _ => return Err(format!("locales/{locale}.json: `{prefix}` has no text").into()),
    }
    Ok(())
}
