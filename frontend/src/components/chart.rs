//! Charts: a Leptos component over Apache ECharts. The charts bundle (`/charts.js`, the part of
//! ECharts the app uses, built from the pinned npm package) is loaded the first time a page shows
//! a chart, never on the other pages. A chart is an ECharts option (JSON) built in Rust; clicking
//! a bar or a slice hands its `(series index, data index)` to the page (a drill-down).

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Colours that stay apart on screen and on a grey print: dark-to-light steps, with ECharts' decal
/// patterns on top (see `aria`).
pub const PALETTE: [&str; 8] = [
    "#1f5fa8", "#e07b1a", "#2e8b57", "#8e3b8e", "#c23b3b", "#5b6b7a", "#b59a1c", "#3aa0b8",
];

thread_local! {
    /// The bundle's loading, shared by every chart of the page.
    static LOADING: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
}

/// `window.echarts`, once the bundle has run.
fn echarts() -> Option<JsValue> {
    let w = web_sys::window()?;
    js_sys::Reflect::get(&w, &"echarts".into())
        .ok()
        .filter(|v| !v.is_undefined())
}

/// Loads `/charts.js` once (a `<script>` added to the page; the CSP allows the server's own
/// scripts); resolves when `window.echarts` is there.
async fn loaded() -> Result<JsValue, JsValue> {
    if let Some(e) = echarts() {
        return Ok(e);
    }
    let promise = LOADING.with(|l| {
        l.borrow_mut()
            .get_or_insert_with(|| {
                js_sys::Promise::new(&mut |resolve, reject| {
                    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
                        let _ = reject.call1(&JsValue::NULL, &"no document".into());
                        return;
                    };
                    let Ok(script) = doc.create_element("script") else {
                        return;
                    };
                    let _ = script.set_attribute("src", "/charts.js");
                    let on_load = Closure::once_into_js(move || {
                        let _ = resolve.call0(&JsValue::NULL);
                    });
                    let on_error = Closure::once_into_js(move || {
                        let _ = reject.call1(&JsValue::NULL, &"the charts did not load".into());
                    });
                    let _ = js_sys::Reflect::set(&script, &"onload".into(), &on_load);
                    let _ = js_sys::Reflect::set(&script, &"onerror".into(), &on_error);
                    if let Some(head) = doc.head() {
                        let _ = head.append_child(&script);
                    }
                })
            })
            .clone()
    });
    if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
        // Let a later page try again.
        LOADING.with(|l| l.borrow_mut().take());
        return Err(e);
    }
    echarts().ok_or_else(|| "window.echarts is missing".into())
}

/// Calls `target.name(args…)`.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &name.into())?.dyn_into()?;
    let list = js_sys::Array::new();
    for a in args {
        list.push(a);
    }
    f.apply(target, &list)
}

/// A chart of `option`, redrawn when it changes; `on_pick(series, index)` when a bar, point or
/// slice is clicked. `label` names it for screen readers.
#[component]
pub fn Chart(
    #[prop(into)] option: Signal<Value>,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] on_pick: Option<Callback<(usize, usize)>>,
    #[prop(optional)] tall: bool,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    let instance = StoredValue::new_local(None::<JsValue>);
    let failed = RwSignal::new(false);
    Effect::new(move |_| {
        let opt = option.get();
        let Some(el) = node.get() else { return };
        spawn_local(async move {
            // The page may have moved on (a new answer redraws the section) while the bundle
            // loaded: then this chart is gone, and nothing of it may be touched.
            let Ok(lib) = loaded().await else {
                let _ = failed.try_set(true);
                return;
            };
            let Some(existing) = instance.try_get_value() else {
                return;
            };
            let chart = match existing {
                Some(c) => c,
                None => {
                    let opts =
                        js_sys::JSON::parse(r#"{"renderer":"svg"}"#).unwrap_or(JsValue::NULL);
                    let Ok(c) = call(&lib, "init", &[el.into(), JsValue::NULL, opts]) else {
                        let _ = failed.try_set(true);
                        return;
                    };
                    if let Some(pick) = on_pick {
                        let handler = Closure::<dyn Fn(JsValue)>::new(move |ev: JsValue| {
                            let num = |k: &str| {
                                js_sys::Reflect::get(&ev, &k.into())
                                    .ok()
                                    .and_then(|v| v.as_f64())
                                    .map(|v| v as usize)
                            };
                            if let (Some(s), Some(i)) = (num("seriesIndex"), num("dataIndex")) {
                                pick.run((s, i));
                            }
                        });
                        let _ = call(&c, "on", &["click".into(), handler.into_js_value()]);
                    }
                    if instance.try_set_value(Some(c.clone())).is_some() {
                        let _ = call(&c, "dispose", &[]);
                        return;
                    }
                    c
                }
            };
            let text = serde_json::to_string(&opt).unwrap_or_default();
            if let Ok(parsed) = js_sys::JSON::parse(&text) {
                let _ = call(&chart, "setOption", &[parsed, JsValue::TRUE]);
            }
        });
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(Some(c)) = instance.try_get_value() {
            let _ = call(&c, "resize", &[]);
        }
    });
    on_cleanup(move || {
        resize.remove();
        if let Some(Some(c)) = instance.try_get_value() {
            let _ = call(&c, "dispose", &[]);
        }
    });
    view! {
        <div class="chart" class:tall=tall role="img" aria-label=move || label.get() node_ref=node></div>
        <Show when=move || failed.get()>
            <p class="muted">"—"</p>
        </Show>
    }
}

/// What every chart shares: the palette, tooltips, decals for print, no animation to wait for.
pub fn base(lang_en: bool) -> Value {
    json!({
        "color": PALETTE,
        "animation": false,
        "aria": {"enabled": true, "decal": {"show": true}, "label": {"enabled": true, "locale": if lang_en { "EN" } else { "ZH" }}},
        "tooltip": {"trigger": "axis", "confine": true},
        "textStyle": {"fontFamily": "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"},
    })
}

/// Merges `extra`'s keys into `base`.
pub fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
    base
}

/// A decimal string as a number for drawing (a chart's bar, never a sum).
pub fn number(text: &str) -> Value {
    text.parse::<f64>().map(|v| json!(v)).unwrap_or(json!(0))
}

/// Bars of `categories` with one series per `(name, values)`; stacked when `stack`. A second
/// y axis for series named in `right` (drawn as lines).
pub fn bars(
    lang_en: bool,
    categories: &[String],
    series: &[(String, Vec<Value>)],
    stack: bool,
    right: &[(String, Vec<Value>)],
) -> Value {
    let mut all: Vec<Value> = series
        .iter()
        .map(|(name, data)| {
            let mut s = json!({"type": "bar", "name": name, "data": data, "barMaxWidth": 36});
            if stack {
                s["stack"] = json!("total");
            }
            s
        })
        .collect();
    all.extend(right.iter().map(|(name, data)| {
        json!({"type": "line", "name": name, "data": data, "yAxisIndex": 1, "symbolSize": 6})
    }));
    let mut y = vec![json!({"type": "value"})];
    if !right.is_empty() {
        y.push(json!({"type": "value", "splitLine": {"show": false}}));
    }
    with(
        base(lang_en),
        json!({
            "legend": {"top": 0, "type": "scroll"},
            "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": true},
            "xAxis": {"type": "category", "data": categories, "axisLabel": {"hideOverlap": true}},
            "yAxis": y,
            "series": all,
        }),
    )
}

/// `(name, value)` pairs as the data items of a pie or a funnel.
fn named(parts: &[(String, Value)]) -> Vec<Value> {
    parts
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect()
}

/// A pie of `(name, value)`.
pub fn pie(lang_en: bool, name: &str, parts: &[(String, Value)]) -> Value {
    let data = named(parts);
    with(
        base(lang_en),
        json!({
            "tooltip": {"trigger": "item", "confine": true},
            "legend": {"bottom": 0, "type": "scroll"},
            "series": [{"type": "pie", "name": name, "radius": ["30%", "70%"], "center": ["50%", "44%"], "data": data,
                        "label": {"position": "inside", "formatter": "{d}%", "color": "#fff", "fontSize": 11},
                        "labelLine": {"show": false}}],
        }),
    )
}

/// A funnel of `(name, value)`, widest first.
pub fn funnel(lang_en: bool, name: &str, steps: &[(String, Value)]) -> Value {
    let data = named(steps);
    with(
        base(lang_en),
        json!({
            "tooltip": {"trigger": "item", "confine": true},
            "series": [{"type": "funnel", "name": name, "sort": "none", "left": "10%", "width": "80%", "minSize": "30%",
                        "label": {"position": "inside", "formatter": "{b}: {c}", "color": "#fff"}, "data": data}],
        }),
    )
}
