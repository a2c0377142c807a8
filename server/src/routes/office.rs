//! `/api/office/…`: the street office's pages, for street-admin and viewer
//! tokens (any other role gets 403). Token management and nothing else is
//! for street-admin only. Every answer is JSON (or a file, for exports),
//! never cached, and covers only the documents the token may read; see
//! [`crate::office`] for what each one holds.
//!
//! - `GET figures?from=YYYY-MM-DD&to=YYYY-MM-DD`
//! - `GET key-groups?days=30`
//! - `GET households?building=ID&which=all|key|not-visited&tag=T&days=30`
//! - `GET tasks`, `GET devices`, `GET directory`
//! - `GET export?what=households|volunteers|tasks&format=csv|xlsx`
//! - `POST import` (street-admin; the CSV file as the body): one JSON line
//!   per building or team as it is written (`{"progress": {done, total,
//!   what}}`), then `{"done": report}` or `{"error": "…"}`
//! - `GET tokens`, `POST tokens` `{name, role, scope: [...], person, public_url}`,
//!   `POST tokens/{name}/scope` `{scope: [...]}`, `POST tokens/{name}/revoke`

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{Grant, Role};
use crate::office::{self, OfficeError, Street, Want, devices, export, key_groups, tokens};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/figures", get(figures))
        .route("/key-groups", get(key_groups))
        .route("/households", get(households))
        .route("/tasks", get(tasks))
        .route("/notices", get(notices).post(notice_publish))
        .route("/devices", get(devices))
        .route("/directory", get(directory))
        .route("/export", get(export))
        .route(
            "/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(IMPORT_MAX_BYTES)),
        )
        .route("/tokens", get(token_list).post(token_create))
        .route("/tokens/{name}/scope", post(token_scope))
        .route("/tokens/{name}/revoke", post(token_revoke))
}

/// A refusal or failure, as `{"error": "…"}` with its status.
struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        no_store((self.0, Json(serde_json::json!({ "error": self.1 }))).into_response())
    }
}

impl From<OfficeError> for Failure {
    fn from(e: OfficeError) -> Self {
        let status = match &e {
            OfficeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            OfficeError::NoDirectory => StatusCode::CONFLICT,
            OfficeError::Admin(crate::admin::AdminError::NoSuchToken(_)) => StatusCode::NOT_FOUND,
            _ => {
                tracing::error!(error = %e, "office request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        Failure(status, e.to_string())
    }
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn ok<T: serde::Serialize>(value: T) -> Result<Response, Failure> {
    Ok(no_store(Json(value).into_response()))
}

/// The request's grant if it may see the office pages (street-admin or
/// viewer); with `admin_only`, street-admin alone.
async fn office_grant(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    admin_only: bool,
) -> Result<Grant, Failure> {
    let grant = super::authenticate(state, headers, query)
        .await
        .map_err(|_| {
            Failure(
                StatusCode::UNAUTHORIZED,
                "this token is not valid here".into(),
            )
        })?;
    let allowed = match grant.role {
        Role::StreetAdmin => true,
        Role::Viewer => !admin_only,
        _ => false,
    };
    if !allowed {
        let what = if admin_only {
            "only a street-admin token may do this"
        } else {
            "the office pages are for street-admin and viewer tokens"
        };
        return Err(Failure(StatusCode::FORBIDDEN, what.into()));
    }
    Ok(grant)
}

async fn street_of(state: &AppState, grant: &Grant, want: Want) -> Result<Street, Failure> {
    let index = state.relay.directory.index();
    Ok(state
        .office
        .street(
            &state.storage,
            state.relay.directory.id(),
            &index,
            grant,
            want,
        )
        .await?)
}

/// Authorizes and reads the street for a read-only office page.
async fn reader(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    want: Want,
) -> Result<(Grant, Street), Failure> {
    let grant = office_grant(state, headers, query, false).await?;
    let street = street_of(state, &grant, want).await?;
    Ok((grant, street))
}

fn params<T: serde::de::DeserializeOwned + Default>(query: Option<&str>) -> Result<T, Failure> {
    match query {
        None => Ok(T::default()),
        Some(q) => serde_urlencoded_like(q),
    }
}

/// Query strings through axum's own deserializer (the token may be in it
/// too, which the targets ignore).
fn serde_urlencoded_like<T: serde::de::DeserializeOwned>(q: &str) -> Result<T, Failure> {
    let uri: axum::http::Uri = format!("/?{q}")
        .parse()
        .map_err(|_| Failure(StatusCode::BAD_REQUEST, "bad query string".into()))?;
    Query::<T>::try_from_uri(&uri)
        .map(|Query(t)| t)
        .map_err(|e| Failure(StatusCode::BAD_REQUEST, e.body_text()))
}

#[derive(Debug, Default, Deserialize)]
struct FiguresQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn figures(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let (_, street) = reader(&state, &headers, query.as_deref(), Want::WORK).await?;
    let q: FiguresQuery = params(query.as_deref())?;
    let period = office::figures::period(
        q.from.as_deref(),
        q.to.as_deref(),
        crate::wall_clock_millis(),
    )?;
    let page = tokio::task::spawn_blocking(move || office::figures::page(&street, period))
        .await
        .map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    ok(page)
}

async fn notices(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let (_, street) = reader(&state, &headers, query.as_deref(), Want::WORK).await?;
    ok(office::notices::notices(&street, &state.grants.live()))
}

async fn notice_publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Result<Json<office::notices::NewNotice>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Failure> {
    let grant = office_grant(&state, &headers, query.as_deref(), true).await?;
    let Json(new) = body.map_err(|e| Failure(StatusCode::BAD_REQUEST, e.body_text()))?;
    let street = street_of(&state, &grant, Want::DIRECTORY).await?;
    let mut docs = office::import::RelayDocs {
        docs: state.relay.docs.clone(),
        token: grant.name.clone(),
        runtime: tokio::runtime::Handle::current(),
    };
    tracing::info!(by = %grant.name, communities = new.communities.len(), "notice published from the office page");
    let answer = tokio::task::spawn_blocking(move || {
        office::notices::publish(
            &mut docs,
            &street.directory,
            new,
            crate::wall_clock_millis(),
        )
    })
    .await
    .map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    ok(answer)
}

#[derive(Debug, Default, Deserialize)]
struct DaysQuery {
    days: Option<u32>,
}

/// Who is responsible for each building: the live tokens that answer for
/// it (building heads and grid workers by their scope, compound and area
/// heads through the directory), by name.
fn heads(state: &AppState, street: &Street) -> BTreeMap<String, Vec<String>> {
    let mut heads: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (person, buildings) in office::notices::readers(street, &state.grants.live()) {
        for b in buildings {
            heads
                .entry(b.to_string())
                .or_default()
                .push(person.to_string());
        }
    }
    heads
}

async fn key_groups(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let (_, street) = reader(&state, &headers, query.as_deref(), Want::BUILDINGS).await?;
    let q: DaysQuery = params(query.as_deref())?;
    let heads = heads(&state, &street);
    ok(key_groups::key_groups(
        &street,
        q.days.unwrap_or(30),
        crate::wall_clock_millis(),
        &heads,
    ))
}

#[derive(Debug, Default, Deserialize)]
struct HouseholdsQuery {
    building: String,
    #[serde(default)]
    which: key_groups::Which,
    tag: Option<String>,
    days: Option<u32>,
}

async fn households(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let (_, street) = reader(&state, &headers, query.as_deref(), Want::BUILDINGS).await?;
    let q: HouseholdsQuery = params(query.as_deref())?;
    match key_groups::households(
        &street,
        &q.building,
        q.which,
        q.tag.as_deref(),
        q.days.unwrap_or(30),
        crate::wall_clock_millis(),
    ) {
        Some(rows) => ok(rows),
        // Not there, or not for this token: the same answer.
        None => Err(Failure(StatusCode::NOT_FOUND, "no such building".into())),
    }
}

async fn tasks(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let (_, street) = reader(&state, &headers, query.as_deref(), Want::WORK).await?;
    ok(office::tasks::tasks(&street, crate::wall_clock_millis()))
}

async fn directory(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let (_, street) = reader(&state, &headers, query.as_deref(), Want::DIRECTORY).await?;
    ok(&*street.directory)
}

/// How far back "recently changed documents" reaches.
const RECENT_MS: i64 = 7 * linli_records::dates::DAY_MS;

async fn devices(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let (_, street) = reader(&state, &headers, query.as_deref(), Want::DIRECTORY).await?;
    let now = crate::wall_clock_millis();
    let (all, activity, recent) = state
        .storage
        .office_activity(now - RECENT_MS, 50)
        .await
        .map_err(|e| Failure::from(OfficeError::from(e)))?;
    let (live, seen) = state.relay.peers.activity();
    ok(devices::devices(devices::Inputs {
        tokens: &all,
        live: &live,
        seen: &seen,
        activity: &activity,
        recent: &recent,
        street: Some(&street),
        now,
    }))
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    what: export::What,
    #[serde(default)]
    format: export::FileFormat,
}

impl Default for ExportQuery {
    fn default() -> Self {
        Self {
            what: export::What::Households,
            format: export::FileFormat::Csv,
        }
    }
}

async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let q: ExportQuery = params(query.as_deref())?;
    let want = match q.what {
        export::What::Households => Want::BUILDINGS,
        export::What::Volunteers | export::What::Tasks => Want::WORK,
    };
    let (_, street) = reader(&state, &headers, query.as_deref(), want).await?;
    let bytes = tokio::task::spawn_blocking(move || export::export(&street, q.what, q.format))
        .await
        .map_err(|e| Failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    let (mime, ext) = match q.format {
        export::FileFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        export::FileFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let disposition = format!("attachment; filename=\"{}.{ext}\"", q.what.file_stem());
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(no_store(r))
}

async fn token_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    office_grant(&state, &headers, query.as_deref(), true).await?;
    let all = state
        .storage
        .tokens()
        .await
        .map_err(|e| Failure::from(OfficeError::from(e)))?;
    ok(tokens::rows(&all, &state))
}

async fn token_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Result<Json<tokens::NewToken>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Failure> {
    let grant = office_grant(&state, &headers, query.as_deref(), true).await?;
    let Json(req) = body.map_err(|e| Failure(StatusCode::BAD_REQUEST, e.body_text()))?;
    let street = street_of(&state, &grant, Want::DIRECTORY).await?;
    let created = tokens::create(&state, &grant, req, &street.directory).await?;
    ok(created)
}

#[derive(Debug, Deserialize)]
struct ScopeBody {
    scope: Vec<String>,
}

async fn token_scope(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Result<Json<ScopeBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, Failure> {
    let grant = office_grant(&state, &headers, query.as_deref(), true).await?;
    let Json(req) = body.map_err(|e| Failure(StatusCode::BAD_REQUEST, e.body_text()))?;
    let street = street_of(&state, &grant, Want::DIRECTORY).await?;
    tokens::rescope(&state, &grant, &name, &req.scope, &street.directory).await?;
    ok(serde_json::json!({ "ok": true }))
}

async fn token_revoke(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Failure> {
    let grant = office_grant(&state, &headers, query.as_deref(), true).await?;
    tokens::revoke(&state, &grant, &name).await?;
    ok(serde_json::json!({ "ok": true }))
}

/// The largest spreadsheet the page may send: a street's residents.csv
/// (12,600 households) is about 2 MB.
const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let grant = office_grant(&state, &headers, query.as_deref(), true).await?;
    let street = street_of(&state, &grant, Want::DIRECTORY).await?;
    let directory_url = state
        .relay
        .directory
        .id()
        .and_then(|id| linli_records::ids::DocUrl::new(id.url()).ok())
        .ok_or_else(|| Failure::from(OfficeError::NoDirectory))?;
    let (lines, rx) = tokio::sync::mpsc::channel::<String>(64);
    let mut docs = office::import::RelayDocs {
        docs: state.relay.docs.clone(),
        token: grant.name.clone(),
        runtime: tokio::runtime::Handle::current(),
    };
    tracing::info!(by = %grant.name, bytes = body.len(), "import from the office page");
    tokio::task::spawn_blocking(move || {
        let year = linli_records::dates::format_date(crate::wall_clock_millis())
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(2100);
        let limits = linli_records::import_csv::ImportLimits::up_to(year);
        let outcome = linli_records::import_csv::run_import(
            &mut docs,
            &street.directory,
            &directory_url,
            &body,
            &limits,
            &mut |p| {
                let _ = lines.blocking_send(format!("{}\n", serde_json::json!({ "progress": p })));
            },
        );
        let last = match outcome {
            // Each rejected row with its reasons in words, as the CLI prints them.
            Ok(report) => serde_json::json!({ "done": {
                "kind": report.kind,
                "changes": report.changes,
                "lines": report.lines,
                "imported": report.imported,
                "rejected": report.rejected.iter().map(|r| serde_json::json!({
                    "line": r.line,
                    "reasons": r.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            } }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        let _ = lines.blocking_send(format!("{last}\n"));
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|line| (Ok::<_, std::convert::Infallible>(line), rx))
    });
    let mut r = axum::body::Body::from_stream(stream).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson; charset=utf-8"),
    );
    Ok(no_store(r))
}
