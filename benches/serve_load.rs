//! Load test of the what-if page's update endpoint on loopback: `N` clients
//! each send `/api/update` (2,000 paths, a moving DRG base rate) one after
//! another for `T` seconds; prints p50/p95/max latency, throughput, errors,
//! and the server-side compute time it reports.
//!
//! `cargo bench --bench serve_load` runs 20 clients for 30 s (override with
//! `DRGSIM_LOAD_CLIENTS`, `DRGSIM_LOAD_SECS`); under `cargo test` a smoke
//! version (2 clients, 2 s, 200 paths) checks that every request succeeds.

use drgsim::serve::{App, router};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_or(name: &str, d: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// One POST; (status, body).
fn post(addr: SocketAddr, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut r = BufReader::new(s);
    let mut status = String::new();
    r.read_line(&mut status)?;
    let code = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut rest = String::new();
    r.read_to_string(&mut rest)?;
    let body = rest
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((code, body))
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (clients, secs, paths) = if full {
        (
            env_or("DRGSIM_LOAD_CLIENTS", 20),
            env_or("DRGSIM_LOAD_SECS", 30),
            2_000,
        )
    } else {
        (2, 2, 200)
    };
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-2023.toml");
    let app = Arc::new(App::load(&scenario).expect("load the scenario"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        let _ = axum::serve(listener, router(app)).await;
    });

    let stop = Instant::now() + Duration::from_secs(secs);
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            std::thread::spawn(move || {
                let mut lat = Vec::new();
                let mut compute = Vec::new();
                let mut errors = 0u64;
                let mut i = 0u64;
                while Instant::now() < stop {
                    // a slider being dragged: 4,800..5,600 yuan per point
                    let rate = 4_800.0 + ((c * 37 + i * 13) % 800) as f64;
                    let body = format!(
                        "{{\"set\":{{\"funds.resident.payment.base_rate.base\":{rate}}},\"paths\":{paths}}}"
                    );
                    let t = Instant::now();
                    match post(addr, "/api/update", &body) {
                        Ok((200, b)) => {
                            lat.push(t.elapsed().as_secs_f64() * 1e3);
                            if let Some(ms) = serde_json::from_str::<serde_json::Value>(&b)
                                .ok()
                                .and_then(|v| v["compute_ms"].as_f64())
                            {
                                compute.push(ms);
                            }
                        }
                        _ => errors += 1,
                    }
                    i += 1;
                }
                (lat, compute, errors)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut compute = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, c, e) = h.join().unwrap();
        lat.extend(l);
        compute.extend(c);
        errors += e;
    }
    lat.sort_by(f64::total_cmp);
    compute.sort_by(f64::total_cmp);
    println!(
        "serve_load: {clients} clients x {secs} s, {paths} paths per update, {} cores: {} updates ({:.1}/s), latency p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; server compute p50 {:.1} ms, p95 {:.1} ms; errors {errors}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        lat.len(),
        lat.len() as f64 / secs as f64,
        pct(&lat, 0.5),
        pct(&lat, 0.95),
        lat.last().copied().unwrap_or(f64::NAN),
        pct(&compute, 0.5),
        pct(&compute, 0.95),
    );
    assert_eq!(errors, 0, "requests failed under load");
    assert!(!lat.is_empty(), "no request completed");
}
