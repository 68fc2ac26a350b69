//! The what-if page's API (`drgsim serve`), driven in process through the
//! router (`tower::ServiceExt::oneshot`): a moved lever gives the figures of
//! `drgsim run --set ...`, the reform file reproduces the page, bad values
//! are refused with the parameter's name, oversize requests are refused.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use drgsim::serve::{App, MAX_BODY, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// The apps are loaded once per test binary (each load runs the baseline fan).
fn chuxiong() -> Arc<App> {
    static APP: OnceLock<Arc<App>> = OnceLock::new();
    APP.get_or_init(|| Arc::new(App::load(&scenario("chuxiong-2023.toml")).unwrap()))
        .clone()
}

fn qingyang() -> Arc<App> {
    static APP: OnceLock<Arc<App>> = OnceLock::new();
    APP.get_or_init(|| Arc::new(App::load(&scenario("qingyang-2025h1.toml")).unwrap()))
        .clone()
}

async fn call(app: Arc<App>, method: &str, uri: &str, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let resp = router(app).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes)
}

async fn post(app: Arc<App>, uri: &str, body: Value) -> (StatusCode, Value) {
    let (s, b) = call(app, "POST", uri, body.to_string().into_bytes()).await;
    let v = serde_json::from_slice(&b).unwrap_or(Value::Null);
    (s, v)
}

/// `drgsim run` on `file` with `sets`; months payable of `fund` by year from projection.csv.
fn run_cli(file: &Path, sets: &[String], fund: &str) -> Vec<f64> {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drgsim"));
    cmd.arg("run").arg(file).arg("--out").arg(&dir);
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(dir.join("projection.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let fi = h.iter().position(|c| c == "fund").unwrap();
    let mi = h.iter().position(|c| c == "months_payable").unwrap();
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| &x[fi] == fund)
        .map(|x| x[mi].parse().unwrap())
        .collect()
}

/// Months payable as `drgsim run --set` computes them (bit for bit; the CSV rounds).
fn library_months(file: &Path, sets: &[String], fund: usize) -> Vec<f64> {
    let m = drgsim::projection::Model::load(file, sets).unwrap();
    let p = drgsim::projection::project(&m);
    p.funds[fund]
        .rows
        .iter()
        .map(|r| r.months_payable)
        .collect()
}

/// Equal to projection.csv's 4 decimals.
fn close(page: &[f64], csv: &[f64]) {
    assert_eq!(page.len(), csv.len());
    for (a, b) in page.iter().zip(csv) {
        assert!((a - b).abs() <= 5.1e-5, "{page:?} vs {csv:?}");
    }
}

fn months(v: &Value, fund: usize) -> Vec<f64> {
    v["funds"][fund]["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[tokio::test]
async fn levers_are_grouped_with_units_ranges_and_values() {
    let (s, b) = call(chuxiong(), "GET", "/api/levers", vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).unwrap();
    let levers = v["levers"].as_array().unwrap();
    let premium = levers
        .iter()
        .find(|l| l["key"] == "funds.resident.premiums.premium")
        .expect("the premium is a lever");
    assert_eq!(premium["group"], "financing");
    assert_eq!(premium["unit_zh"], "元");
    assert_eq!(premium["value"], 380.0);
    assert!(premium["lo"].as_f64().unwrap() < 380.0 && premium["hi"].as_f64().unwrap() > 380.0);
    let rate = levers
        .iter()
        .find(|l| l["key"] == "funds.resident.payment.base_rate.base")
        .expect("the base rate is a lever");
    assert_eq!(rate["group"], "rate_budget");
    assert_eq!(rate["payment"], true);
    // every lever's value lies in its allowed and slider range
    for l in levers {
        let x = l["value"].as_f64().unwrap();
        assert!(
            l["min"].as_f64().unwrap() <= x && x <= l["max"].as_f64().unwrap(),
            "{l}"
        );
        assert!(
            l["lo"].as_f64().unwrap() <= x && x <= l["hi"].as_f64().unwrap(),
            "{l}"
        );
    }
    assert_eq!(v["words"]["zh"]["months"], "累计结余可支付月数");
    assert_eq!(v["words"]["en"]["months"], "months payable");
}

#[tokio::test]
async fn a_moved_lever_gives_the_figures_of_drgsim_run_set() {
    let key = "funds.resident.payment.base_rate.base";
    let (s, v) = post(
        chuxiong(),
        "/api/update",
        json!({ "set": { key: 5200.0 }, "paths": 200 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let page = months(&v, 0);
    let sets = [format!("{key}=5200.0")];
    assert_eq!(
        page,
        library_months(&scenario("chuxiong-2023.toml"), &sets, 0),
        "the page and `--set` differ"
    );
    close(
        &page,
        &run_cli(&scenario("chuxiong-2023.toml"), &sets, "resident"),
    );
    // and the lever moved something: a lower rate leaves more months
    let base = months(&chuxiong_baseline().await, 0);
    assert!(page.last() > base.last(), "{page:?} vs {base:?}");
}

async fn chuxiong_baseline() -> Value {
    let (_, v) = post(chuxiong(), "/api/update", json!({ "paths": 200 })).await;
    v
}

#[tokio::test]
async fn the_reform_file_reproduces_the_page() {
    let set = json!({
        "funds.resident.premiums.premium": 430.0,
        "funds.resident.enrollment.decline": 0.02,
        "funds.resident.payment.level_coefficients.secondary": 0.9,
    });
    let (s, page) = post(
        chuxiong(),
        "/api/update",
        json!({ "set": set, "paths": 200 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let (s, toml) = call(
        chuxiong(),
        "POST",
        "/api/reform.toml",
        json!({ "set": set }).to_string().into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let toml = String::from_utf8(toml).unwrap();
    assert!(toml.contains("extends = \"chuxiong-2023.toml\""), "{toml}");
    // Saved next to the scenario it extends (here: pointing at it).
    let dir = tempfile::tempdir().unwrap();
    let reform = dir.path().join("reform.toml");
    let abs = scenario("chuxiong-2023.toml");
    std::fs::write(
        &reform,
        toml.replace(
            "extends = \"chuxiong-2023.toml\"",
            &format!(
                "extends = {}",
                toml::Value::String(abs.display().to_string())
            ),
        ),
    )
    .unwrap();
    assert_eq!(months(&page, 0), library_months(&reform, &[], 0));
    close(&months(&page, 0), &run_cli(&reform, &[], "resident"));
    // the premium moved the whole year table in proportion
    assert!(
        toml.contains("2023 = 430.0") && toml.contains("2030 = 509.21"),
        "{toml}"
    );
}

#[tokio::test]
async fn out_of_range_and_unknown_values_are_refused_with_the_parameter_name() {
    let (s, v) = post(
        chuxiong(),
        "/api/update",
        json!({ "set": { "funds.resident.premiums.premium": 45000.0 } }),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let e = v["error"].as_str().unwrap();
    assert!(
        e.contains("funds.resident.premiums.premium") && e.contains("10000"),
        "{e}"
    );

    // Only the page's levers can be set: no file names, no other paths.
    for key in [
        "funds.resident.payment.groups",
        "extends",
        "../../etc/passwd",
    ] {
        let (s, v) = post(
            chuxiong(),
            "/api/update",
            json!({ "set": { key: "/etc/passwd" } }),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{key}");
        assert!(v["error"].as_str().unwrap().contains(key), "{v}");
    }
    let (s, v) = post(
        chuxiong(),
        "/api/update",
        json!({ "set": { "funds.resident.premiums.premium": "NaN" } }),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // Paths are capped.
    for paths in [10, 1_000_000] {
        let (s, v) = post(chuxiong(), "/api/update", json!({ "paths": paths })).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(v["error"].as_str().unwrap().contains("paths"), "{v}");
    }
    // Unknown request fields are refused, not ignored.
    let (s, _) = post(chuxiong(), "/api/update", json!({ "file": "x.toml" })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oversize_requests_are_refused() {
    let pad = "x".repeat(MAX_BODY + 1);
    let body = format!("{{\"set\": {{}}, \"lang\": \"{pad}\"}}");
    let (s, _) = call(chuxiong(), "POST", "/api/update", body.into_bytes()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_fan_is_reproducible_and_brackets_the_median() {
    let body = json!({ "set": { "funds.resident.spending.inpatient_cost_growth": 0.03 }, "paths": 300, "year": 2030 });
    let (s1, a) = post(chuxiong(), "/api/update", body.clone()).await;
    let (s2, b) = post(chuxiong(), "/api/update", body).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a["funds"][0]["fan"], b["funds"][0]["fan"]);
    assert_eq!(a["prob_year"], 2030);
    let fan = &a["funds"][0]["fan"];
    for t in 0..fan["p50"].as_array().unwrap().len() {
        let q = |k: &str| fan[k][t].as_f64().unwrap();
        assert!(
            q("p05") <= q("p25")
                && q("p25") <= q("p50")
                && q("p50") <= q("p75")
                && q("p75") <= q("p95")
        );
        let p = fan["p_warning"][t].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(fan["p_danger"][t].as_f64().unwrap() <= p);
    }
}

#[tokio::test]
async fn payment_levers_show_the_change_by_level_and_the_movers() {
    let app = qingyang();
    let (_, b) = call(app.clone(), "GET", "/api/levers", vec![]).await;
    let v: Value = serde_json::from_slice(&b).unwrap();
    let key = v["levers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["key"]
                .as_str()
                .unwrap()
                .ends_with("payment.level_coefficients.secondary")
        })
        .expect("a secondary-level coefficient lever")["key"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, r) = post(app, "/api/update", json!({ "set": { &key: 1.2 } })).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let h = &r["hospitals"];
    let levels = h["levels"].as_array().unwrap();
    let sec = levels.iter().find(|l| l["level"] == "secondary").unwrap();
    assert!(sec["payment_wan"].as_f64().unwrap() > sec["baseline_payment_wan"].as_f64().unwrap());
    let winners = h["winners"].as_array().unwrap();
    assert!(!winners.is_empty() && winners.len() <= 10);
    assert!(
        winners.iter().all(|w| w["level"] == "secondary"),
        "{winners:?}"
    );
    let changes: Vec<f64> = winners
        .iter()
        .map(|w| w["change_wan"].as_f64().unwrap())
        .collect();
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "{changes:?}");
}

#[tokio::test]
async fn reports_are_built_in_memory() {
    let set = json!({ "set": { "funds.resident.premiums.subsidy": 700.0 }, "lang": "en" });
    let (s, html) = call(
        chuxiong(),
        "POST",
        "/api/report.html",
        set.to_string().into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<svg") && html.contains("lang=\"en\""));
    let (s, xlsx) = call(
        chuxiong(),
        "POST",
        "/api/report.xlsx",
        set.to_string().into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&xlsx[..2], b"PK");
}

#[tokio::test]
async fn the_page_and_its_assets_are_embedded() {
    for (uri, needle) in [
        ("/", "<script src=\"/app.js\">"),
        ("/app.js", "/api/update"),
        ("/app.css", "@font-face"),
    ] {
        let (s, b) = call(chuxiong(), "GET", uri, vec![]).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        let text = String::from_utf8(b).unwrap();
        assert!(text.contains(needle), "{uri}");
        assert!(
            !text.contains("http://") && !text.contains("https://") || uri == "/app.js",
            "{uri} loads from the network"
        );
    }
    let (s, _) = call(chuxiong(), "GET", "/../Cargo.toml", vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
