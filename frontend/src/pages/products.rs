//! 产品: the catalogue of what the company sells (code, name, unit, list price, renewal period),
//! for those who manage it. Orders pick their lines from it.

use crate::api::{Api, ApiError};
use crate::components::{ErrorLine, confirm, money, run};
use crate::state::{use_i18n, use_session};
use crm_domain::Money;
use crm_domain::api::{NewProduct, Product, ProductPatch};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The service length typed into a form: empty is none, otherwise 1–120 months.
pub fn parse_months(text: &str) -> Result<Option<i32>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i32>() {
        Ok(m) if (1..=120).contains(&m) => Ok(Some(m)),
        _ => Err(()),
    }
}

/// What a person reads when a delete is refused because orders use the product.
fn delete_error(e: &ApiError, in_use: &str) -> String {
    if e.code == "product_in_use" {
        in_use.to_string()
    } else {
        e.display()
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = Api::new(use_session());
    let t = move |k: &'static str| i18n.t(k);
    let reload = RwSignal::new(0u32);
    let products = LocalResource::new(move || {
        reload.get();
        async move {
            api.get::<Vec<Product>>("/products?include_disabled=true")
                .await
        }
    });
    let error = RwSignal::new(None::<String>);
    let (code, name, unit, price, months) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let renewable = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(list_price) = Money::parse(&price.get_untracked()) else {
            error.set(Some(t("product.err_price").to_string()));
            return;
        };
        let Ok(service_months) = parse_months(&months.get_untracked()) else {
            error.set(Some(t("product.err_months").to_string()));
            return;
        };
        let is_renewable = renewable.get_untracked();
        let body = NewProduct {
            code: code.get_untracked().trim().to_string(),
            name: name.get_untracked(),
            unit: unit.get_untracked(),
            list_price,
            renewable: is_renewable,
            service_months: service_months.filter(|_| is_renewable),
        };
        run(
            error,
            move || async move { api.post::<Product, _>("/products", &body).await },
            move |_| {
                for s in [code, name, unit, price, months] {
                    s.set(String::new());
                }
                renewable.set(false);
                reload.update(|n| *n += 1);
            },
        );
    };
    // The row being edited, if any.
    let editing = RwSignal::new(None::<i64>);
    let list = move || products.get().and_then(Result::ok).unwrap_or_default();
    view! {
        <section class="card products">
            <h1>{move || t("product.title")}</h1>
            <form class="inline-form product-form" on:submit=create>
                <input name="code" placeholder=move || t("product.code") required maxlength="32" bind:value=code />
                <input name="name" class="grow" placeholder=move || t("product.name") required maxlength="100" bind:value=name />
                <input name="unit" class="short" placeholder=move || t("product.unit") required maxlength="16" bind:value=unit />
                <input name="list_price" class="money-input" inputmode="decimal" placeholder=move || t("product.list_price") required bind:value=price />
                <label class="check"><input type="checkbox" name="renewable" bind:checked=renewable />{move || t("product.renewable")}</label>
                <Show when=move || renewable.get()>
                    <input name="service_months" class="short" type="number" min="1" max="120" placeholder=move || t("product.months") bind:value=months />
                </Show>
                <button type="submit" class="primary">{move || t("product.new")}</button>
            </form>
            <ErrorLine error=error />
            {move || products.get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.display()}</p> })}
            <table class="grid products-table">
                <thead><tr>
                    <th>{move || t("product.code")}</th><th>{move || t("product.name")}</th><th>{move || t("product.unit")}</th>
                    <th class="num">{move || t("product.list_price")}</th><th>{move || t("product.renewable")}</th>
                    <th>{move || t("common.status")}</th><th>{move || t("common.actions")}</th>
                </tr></thead>
                <tbody>
                    {move || list().into_iter().map(|p| {
                        let id = p.id;
                        let product = p.clone();
                        view! {
                            <Show when=move || editing.get() == Some(id) fallback=move || view! { <ProductRow product=product.clone() editing=editing error=error reload=reload /> }>
                                <ProductEditRow product=p.clone() editing=editing error=error reload=reload />
                            </Show>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn ProductRow(
    product: Product,
    editing: RwSignal<Option<i64>>,
    error: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = Api::new(use_session());
    let t = move |k: &'static str| i18n.t(k);
    let id = product.id;
    let remove = move |_| {
        if !confirm(i18n.t("common.confirm_delete")) {
            return;
        }
        spawn_local(async move {
            match api.delete(&format!("/products/{id}")).await {
                Ok(()) => {
                    error.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(delete_error(&e, i18n.t("product.in_use")))),
            }
        });
    };
    let enabled = product.enabled;
    let renewable = product.renewable;
    let months = product.service_months;
    let price = product.list_price;
    view! {
        <tr class:muted=!enabled data-product=product.code.clone()>
            <td><code>{product.code.clone()}</code></td>
            <td>{product.name.clone()}</td>
            <td>{product.unit.clone()}</td>
            <td class="num">{move || money(i18n, price)}</td>
            <td>{move || match (renewable, months) {
                (true, Some(m)) => t("product.every_months").replace("{n}", &m.to_string()),
                (true, None) => t("common.yes").to_string(),
                (false, _) => t("common.no").to_string(),
            }}</td>
            <td>{move || if enabled { t("common.enabled") } else { t("common.disabled") }}</td>
            <td class="actions">
                <button class="small" on:click=move |_| editing.set(Some(id))>{move || t("common.edit")}</button>
                <button class="small danger" on:click=remove>{move || t("common.delete")}</button>
            </td>
        </tr>
    }
}

#[component]
fn ProductEditRow(
    product: Product,
    editing: RwSignal<Option<i64>>,
    error: RwSignal<Option<String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = Api::new(use_session());
    let t = move |k: &'static str| i18n.t(k);
    let (id, version) = (product.id, product.version);
    let name = RwSignal::new(product.name.clone());
    let unit = RwSignal::new(product.unit.clone());
    let price = RwSignal::new(product.list_price.to_string());
    let renewable = RwSignal::new(product.renewable);
    let months = RwSignal::new(
        product
            .service_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    let enabled = RwSignal::new(product.enabled);
    let save = move |_| {
        let Ok(list_price) = Money::parse(&price.get_untracked()) else {
            error.set(Some(t("product.err_price").to_string()));
            return;
        };
        let Ok(service_months) = parse_months(&months.get_untracked()) else {
            error.set(Some(t("product.err_months").to_string()));
            return;
        };
        let is_renewable = renewable.get_untracked();
        let body = ProductPatch {
            name: Some(name.get_untracked()),
            unit: Some(unit.get_untracked()),
            list_price: Some(list_price),
            renewable: Some(is_renewable),
            service_months: Some(service_months.filter(|_| is_renewable)),
            enabled: Some(enabled.get_untracked()),
            version,
        };
        run(
            error,
            move || async move {
                api.patch::<Product, _>(&format!("/products/{id}"), &body)
                    .await
            },
            move |_| {
                editing.set(None);
                reload.update(|n| *n += 1);
            },
        );
    };
    view! {
        <tr class="editing" data-product=product.code.clone()>
            <td><code>{product.code.clone()}</code></td>
            <td><input class="cell-input" name="edit_name" required bind:value=name /></td>
            <td><input class="cell-input short" name="edit_unit" required bind:value=unit /></td>
            <td><input class="cell-input money-input" name="edit_list_price" inputmode="decimal" bind:value=price /></td>
            <td>
                <label class="check"><input type="checkbox" name="edit_renewable" bind:checked=renewable />{move || t("product.renewable")}</label>
                <Show when=move || renewable.get()>
                    <input class="cell-input short" name="edit_service_months" type="number" min="1" max="120" title=move || t("product.months") bind:value=months />
                </Show>
            </td>
            <td><label class="check"><input type="checkbox" name="edit_enabled" bind:checked=enabled />{move || t("common.enabled")}</label></td>
            <td class="actions">
                <button class="small primary" on:click=save>{move || t("common.save")}</button>
                <button class="small" on:click=move |_| editing.set(None)>{move || t("common.cancel")}</button>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_months;

    #[test]
    fn months_are_empty_or_one_to_a_hundred_and_twenty() {
        assert_eq!(parse_months(""), Ok(None));
        assert_eq!(parse_months(" 12 "), Ok(Some(12)));
        assert_eq!(parse_months("120"), Ok(Some(120)));
        assert!(parse_months("0").is_err());
        assert!(parse_months("121").is_err());
        assert!(parse_months("1.5").is_err());
    }
}
