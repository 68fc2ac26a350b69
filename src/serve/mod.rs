//! `drgsim serve`: a what-if page for the negotiation table.
//!
//! One scenario, fixed when the server starts, and one page (Chinese by
//! default, English on a switch) with sliders for the registry's levers
//! (`levers`). Every change (debounced while dragging) asks `/api/update`,
//! which projects the scenario with the levers applied exactly as
//! `drgsim run --set` applies them and runs a Monte Carlo fan over the
//! scenario's `[uncertainty]` (`compute`).
//!
//! Safe by default:
//! - binds to 127.0.0.1; any other address needs `--public` and prints a warning;
//! - the client never names a file: the scenario is fixed at start;
//! - every value is checked against the registry's range, with the
//!   parameter's name in the message; only the page's levers can be set;
//! - a request body is at most [`MAX_BODY`] bytes; paths are capped
//!   (`compute::PATHS_RANGE`); at most one computation per core runs at a
//!   time and each answers within [`TIMEOUT`] or is refused;
//! - nothing is written on the server's disk: downloads are built in memory.
//!
//! Routes: `GET /` (the page), `GET /app.js`, `GET /app.css`, `GET /font.ttf`,
//! `GET /api/levers`, `POST /api/update`, `POST /api/reform.toml`,
//! `POST /api/report.html`, `POST /api/report.xlsx`.

pub(crate) mod compute;
pub(crate) mod levers;
pub(crate) mod words;

use crate::payment::HospitalResult;
use crate::projection::{Model, project};
use crate::report::labels::{Lang, Style, fund_name, scenario_name};
use crate::scenario::source::RawScenario;
use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use compute::{Checked, Request};
use levers::Lever;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Largest request body, bytes.
pub const MAX_BODY: usize = 16 * 1024;
/// Longest one computation may take before the request is answered with 503.
pub const TIMEOUT: Duration = Duration::from_secs(20);

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// How to start the server.
#[derive(Clone, Debug)]
pub struct Options {
    /// Scenario file (fixed for the server's life).
    pub scenario: PathBuf,
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Allow a non-loopback address.
    pub public: bool,
}

/// What the server holds: the scenario as read, its levers and baseline.
pub struct App {
    raw: RawScenario,
    /// The scenario's file name (for the reform's `extends`).
    file_name: String,
    levers: Vec<Lever>,
    baseline_hospitals: Option<(usize, Vec<HospitalResult>)>,
    /// The scenario's `[uncertainty]`, resolved and checked at start.
    unc: crate::analysis::runs::Uncertainty,
    /// `/api/levers` answer (levers, words, baseline figures), built once.
    levers_json: String,
    permits: Semaphore,
}

impl App {
    /// Reads the scenario and prepares the page: the levers, the baseline
    /// projection and fan (2,000 paths), the words.
    pub fn load(scenario: &Path) -> Result<App> {
        let raw = RawScenario::load(scenario, &[]).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (model, projection) = compute::model_with(&raw, &[])?;
        crate::analysis::runs::check_sections(&model)?;
        let unc = crate::analysis::runs::Uncertainty::of_model(&model)?;
        let accepts = |path: &str, v: f64| {
            let set = levers::set_arg(path, &toml::Value::Float(v));
            compute::model_with(&raw, &[set]).is_ok()
        };
        let levers = levers::levers(&raw, &accepts);
        let baseline_hospitals = compute::base_year_hospitals(&model, &projection);
        let baseline = compute::update(
            &raw,
            Some(&unc),
            None,
            &compute::check(&levers, &Request::default())?,
        )?;
        let fund_names: Vec<(String, String, String)> = model
            .funds
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    fund_name(&model, &f.id, &f.name, f.kind, Lang::Zh),
                    fund_name(&model, &f.id, &f.name, f.kind, Lang::En),
                )
            })
            .collect();
        let levers_json = serde_json::to_string(&json!({
            "scenario": {
                "zh": scenario_name(&model, Lang::Zh),
                "en": scenario_name(&model, Lang::En),
                "file": file_name(scenario),
            },
            "years": baseline.years,
            "thresholds": { "warning": model.thresholds.warning, "danger": model.thresholds.danger },
            "levers": levers,
            "groups": crate::scenario::registry::Group::ALL.iter().map(|g| g.id()).collect::<Vec<_>>(),
            "words": words::words(&fund_names),
            "baseline": baseline,
            "paths": compute::PATHS_RANGE,
            "has_hospitals": baseline_hospitals.is_some(),
        }))?;
        drop(projection);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(App {
            file_name: file_name(scenario),
            raw,
            levers,
            baseline_hospitals,
            unc,
            levers_json,
            permits: Semaphore::new(cores),
        })
    }

    /// The page's levers.
    pub fn levers(&self) -> &[Lever] {
        &self.levers
    }

    fn checked(&self, body: &Bytes) -> Result<(Checked, Lang), ApiError> {
        let req: Request = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad(format!("the request is not valid JSON for this page: {e}"))
        })?;
        let lang = match req.lang.as_deref() {
            None => Lang::Zh,
            Some(l) => l.parse().map_err(ApiError::bad)?,
        };
        let c = compute::check(&self.levers, &req).map_err(|e| ApiError::bad(e.to_string()))?;
        Ok((c, lang))
    }

    /// Runs `job` on a blocking thread once a core is free, within [`TIMEOUT`].
    async fn compute<T: Send + 'static>(
        self: &Arc<Self>,
        job: impl FnOnce(&App) -> Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let work = async {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| ApiError::busy("the server is shutting down".into()))?;
            let app = Arc::clone(self);
            tokio::task::spawn_blocking(move || job(&app))
                .await
                .map_err(|e| ApiError::internal(format!("the computation failed: {e}")))?
                .map_err(|e| ApiError::invalid(format!("{e:#}")))
        };
        match tokio::time::timeout(TIMEOUT, work).await {
            Ok(r) => r,
            Err(_) => Err(ApiError::busy(format!(
                "the computation took longer than {} s; try fewer paths",
                TIMEOUT.as_secs()
            ))),
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || "scenario.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// An error answered as JSON `{ "error": "..." }`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn bad(message: String) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message,
        }
    }
    fn invalid(message: String) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message,
        }
    }
    fn busy(message: String) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message,
        }
    }
    fn internal(message: String) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "error": self.message }).to_string(),
        )
            .into_response()
    }
}

/// The routes, for the server and for tests (`tower::ServiceExt::oneshot`).
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
        .route("/font.ttf", get(font))
        .route("/api/levers", get(levers_handler))
        .route("/api/update", post(update_handler))
        .route("/api/reform.toml", post(reform_handler))
        .route("/api/report.html", post(report_html_handler))
        .route("/api/report.xlsx", post(report_xlsx_handler))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// The bundled CJK font of the charts, so the page needs no system font.
async fn font() -> Response {
    (
        [
            (header::CONTENT_TYPE, "font/ttf"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        crate::report::chart::FONT_BYTES,
    )
        .into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn levers_handler(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.levers_json.clone(),
    )
        .into_response()
}

async fn update_handler(State(app): State<Arc<App>>, body: Bytes) -> Result<Response, ApiError> {
    let (c, _) = app.checked(&body)?;
    let r = app
        .compute(move |app| {
            compute::update(
                &app.raw,
                Some(&app.unc),
                app.baseline_hospitals.as_ref(),
                &c,
            )
        })
        .await?;
    Ok(axum::Json(r).into_response())
}

async fn reform_handler(State(app): State<Arc<App>>, body: Bytes) -> Result<Response, ApiError> {
    let (c, _) = app.checked(&body)?;
    // The reform must be a valid scenario: compile it before handing it out.
    let c = app
        .compute(move |app| compute::model_with(&app.raw, &c.sets).map(|_| c))
        .await?;
    let text = compute::reform_toml(&app.file_name, &app.raw, &c.changed)
        .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"reform.toml\"",
            ),
        ],
        text,
    )
        .into_response())
}

fn with_model<T>(app: &App, c: &Checked, f: impl FnOnce(&Model) -> Result<T>) -> Result<T> {
    let (model, _) = compute::model_with(&app.raw, &c.sets)?;
    f(&model)
}

async fn report_html_handler(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (c, lang) = app.checked(&body)?;
    let html = app
        .compute(move |app| {
            with_model(app, &c, |m| {
                let p = project(m);
                crate::report::html::run_report_in_memory(m, &p, style(lang))
                    .map_err(anyhow::Error::from)
            })
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"report.html\"",
            ),
        ],
        html,
    )
        .into_response())
}

async fn report_xlsx_handler(
    State(app): State<Arc<App>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (c, lang) = app.checked(&body)?;
    let bytes = app
        .compute(move |app| {
            with_model(app, &c, |m| {
                let p = project(m);
                crate::report::workbook::run_workbook_bytes(m, &p, style(lang))
                    .map_err(anyhow::Error::from)
            })
        })
        .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"report.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

fn style(lang: Lang) -> Style {
    Style {
        lang,
        ..Style::default()
    }
}

/// Starts the server and blocks until Ctrl-C.
pub fn serve(opts: &Options) -> Result<()> {
    if !opts.bind.is_loopback() && !opts.public {
        bail!(
            "refusing to listen on {}: the page has no login, so anyone who can reach the address can use it. Add --public to allow this, or leave --bind out to listen on 127.0.0.1 only",
            opts.bind
        );
    }
    let app = Arc::new(
        App::load(&opts.scenario)
            .with_context(|| format!("{}: cannot serve this scenario", opts.scenario.display()))?,
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the server's runtime")?;
    rt.block_on(async move {
        let addr = SocketAddr::new(opts.bind, opts.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}; is the port in use? choose another with --port"))?;
        let local = listener.local_addr()?;
        if !opts.bind.is_loopback() {
            eprintln!(
                "warning: listening on {local}, reachable from other machines: the page has no login"
            );
        }
        println!(
            "drgsim serve: {} ({} levers) at http://{local}/  (Ctrl-C to stop)",
            opts.scenario.display(),
            app.levers.len()
        );
        axum::serve(listener, router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped")
    })
}
