//! The README's TLS deployment, tested: nginx terminates TLS in front of
//! linli-relay, and the `linli` CLI syncs over `wss://`.
//!
//! Needs `nginx` and `openssl` on the machine (`.ci/run` installs
//! nginx-light). Without them the test fails and says how to install them.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

use super::relay_process::{PATIENCE, RelayProcess, binary};

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn self_signed(dir: &Path) {
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success());
}

fn start_nginx(dir: &Path, port: u16, upstream: &str) -> Nginx {
    // The README's server block, with paths a test can own.
    let conf = format!(
        r#"daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate     {dir}/cert.pem;
        ssl_certificate_key {dir}/key.pem;
        location /sync {{
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 600s;
        }}
    }}
}}
"#,
        dir = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new("nginx")
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-p")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "nginx did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Nginx(child)
}

fn linli(home: &Path, cert: &Path, args: &[&str]) -> String {
    let out = Command::new(binary("linli"))
        .arg("--dir")
        .arg(home)
        .args(args)
        .env("SSL_CERT_FILE", cert)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run linli");
    assert!(
        out.status.success(),
        "linli {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn linli_syncs_over_wss_through_nginx() {
    for tool in ["nginx", "openssl"] {
        assert!(
            have(tool),
            "{tool} is not installed: the TLS deployment test needs it \
             (`sudo apt-get install nginx-light openssl`, or run .ci/run as root)"
        );
    }
    let data = TempDir::new().unwrap();
    let relay = RelayProcess::start(data.path());
    let tls = TempDir::new().unwrap();
    self_signed(tls.path());
    let port = free_port();
    let _nginx = start_nginx(tls.path(), port, &relay.addr());
    let cert = tls.path().join("cert.pem");
    let wss = format!("wss://localhost:{port}/sync");

    let (laptop, phone) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let token = relay.admin_token.clone();
    linli(
        laptop.path(),
        &cert,
        &["--token", &token, "init", "--relay", &wss],
    );
    let url = linli(laptop.path(), &cert, &["doc", "new"])
        .trim()
        .to_owned();
    linli(
        laptop.path(),
        &cert,
        &["doc", "set", &url, "room", r#""302""#],
    );
    linli(laptop.path(), &cert, &["sync"]);
    linli(
        phone.path(),
        &cert,
        &["--token", &token, "init", "--relay", &wss],
    );
    let shown: serde_json::Value = serde_json::from_str(&linli(
        phone.path(),
        &cert,
        &["doc", "show", &url, "--json"],
    ))
    .unwrap();
    assert_eq!(shown["room"], "302");
}
