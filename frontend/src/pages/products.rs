//! 产品: the catalogue of what the company sells (code, name, unit, list price, renewal period),
//! for those who manage it. Orders pick their lines from it.

use crate::api::{ApiError, use_api};
use crate::components::{ErrorLine, check, confirm, money, run};
use crate::i18n::*;
use crm_domain::api::{ListQuery, NewProduct, Product, ProductPatch};
use crm_domain::{ErrorCode, Money};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The service length typed into a form: empty is none, otherwise a whole number (whose range the
/// product's own rules check, as the server does).
pub fn parse_months(text: &str) -> Result<Option<i32>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i32>().map(Some).map_err(drop)
}

/// What a person reads when a delete is refused because orders use the product.
fn delete_error(e: &ApiError, in_use: &str) -> String {
    if e.is(ErrorCode::ProductInUse) {
        in_use.to_string()
    } else {
        e.display()
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let reload = RwSignal::new(0u32);
    let products = LocalResource::new(move || {
        reload.get();
        async move {
            let q = ListQuery {
                include_disabled: Some(true),
            };
            api.products(&q).await
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
            error.set(Some(t_string!(i18n, product.err_price).to_string()));
            return;
        };
        let Ok(service_months) = parse_months(&months.get_untracked()) else {
            error.set(Some(t_string!(i18n, product.err_months).to_string()));
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
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        run(
            error,
            move || async move { api.create_product(&body).await },
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
            <h1>{move || t_string!(i18n, product.title)}</h1>
            <form class="inline-form product-form" on:submit=create>
                <input name="code" placeholder=move || t_string!(i18n, product.code) required maxlength="32" bind:value=code />
                <input name="name" class="grow" placeholder=move || t_string!(i18n, product.name) required maxlength="100" bind:value=name />
                <input name="unit" class="short" placeholder=move || t_string!(i18n, product.unit) required maxlength="16" bind:value=unit />
                <input name="list_price" class="money-input" inputmode="decimal" placeholder=move || t_string!(i18n, product.list_price) required bind:value=price />
                <label class="check"><input type="checkbox" name="renewable" bind:checked=renewable />{move || t_string!(i18n, product.renewable)}</label>
                <Show when=move || renewable.get()>
                    <input name="service_months" class="short" type="number" min="1" max="120" placeholder=move || t_string!(i18n, product.months) bind:value=months />
                </Show>
                <button type="submit" class="primary">{move || t_string!(i18n, product.new)}</button>
            </form>
            <ErrorLine error=error />
            {move || products.get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.display()}</p> })}
            <table class="grid products-table">
                <thead><tr>
                    <th>{move || t_string!(i18n, product.code)}</th><th>{move || t_string!(i18n, product.name)}</th><th>{move || t_string!(i18n, product.unit)}</th>
                    <th class="num">{move || t_string!(i18n, product.list_price)}</th><th>{move || t_string!(i18n, product.renewable)}</th>
                    <th>{move || t_string!(i18n, common.status)}</th><th>{move || t_string!(i18n, common.actions)}</th>
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
    let api = use_api();
    let id = product.id;
    let remove = move |_| {
        if !confirm(t_string!(i18n, common.confirm_delete)) {
            return;
        }
        spawn_local(async move {
            match api.delete_product(id).await {
                Ok(()) => {
                    error.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(delete_error(&e, t_string!(i18n, product.in_use)))),
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
                (true, Some(m)) => t_string!(i18n, product.every_months, n = m),
                (true, None) => t_string!(i18n, common.yes).to_string(),
                (false, _) => t_string!(i18n, common.no).to_string(),
            }}</td>
            <td>{move || if enabled { t_string!(i18n, common.enabled) } else { t_string!(i18n, common.disabled) }}</td>
            <td class="actions">
                <button class="small" on:click=move |_| editing.set(Some(id))>{move || t_string!(i18n, common.edit)}</button>
                <button class="small danger" on:click=remove>{move || t_string!(i18n, common.delete)}</button>
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
    let api = use_api();
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
            error.set(Some(t_string!(i18n, product.err_price).to_string()));
            return;
        };
        let Ok(service_months) = parse_months(&months.get_untracked()) else {
            error.set(Some(t_string!(i18n, product.err_months).to_string()));
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
        if let Err(e) = check(i18n, &body) {
            error.set(Some(e));
            return;
        }
        run(
            error,
            move || async move { api.update_product(id, &body).await },
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
                <label class="check"><input type="checkbox" name="edit_renewable" bind:checked=renewable />{move || t_string!(i18n, product.renewable)}</label>
                <Show when=move || renewable.get()>
                    <input class="cell-input short" name="edit_service_months" type="number" min="1" max="120" title=move || t_string!(i18n, product.months) bind:value=months />
                </Show>
            </td>
            <td><label class="check"><input type="checkbox" name="edit_enabled" bind:checked=enabled />{move || t_string!(i18n, common.enabled)}</label></td>
            <td class="actions">
                <button class="small primary" on:click=save>{move || t_string!(i18n, common.save)}</button>
                <button class="small" on:click=move |_| editing.set(None)>{move || t_string!(i18n, common.cancel)}</button>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_months;

    #[test]
    fn months_are_empty_or_a_whole_number() {
        assert_eq!(parse_months(""), Ok(None));
        assert_eq!(parse_months(" 12 "), Ok(Some(12)));
        assert_eq!(parse_months("121"), Ok(Some(121)));
        assert!(parse_months("1.5").is_err());
        assert!(parse_months("x").is_err());
    }
}
