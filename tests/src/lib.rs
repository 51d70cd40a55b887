//! End-to-end helpers: real `fengqiao-county` and `fengqiao-cli` processes on loopback, temporary
//! data directories, and a fault-injecting TCP proxy between the agent and the server.
//!
//! The binaries are taken from the workspace's target directory, beside the test executable
//! (`target/<profile>/deps/<test>` → `target/<profile>/`); set `FENGQIAO_BIN_DIR` to use others.
//! When either is missing (e.g. `cargo test -p fengqiao-e2e` on a fresh checkout), the first
//! test that needs them runs `cargo build -p fengqiao-cli -p fengqiao-county` (with `--release`
//! for a release test build) once and waits for it. `cargo test --workspace` builds them anyway.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long any one child process may run before the test fails.
pub const PROCESS_LIMIT: Duration = Duration::from_secs(180);

/// The directory holding `fengqiao-cli` and `fengqiao-county`.
pub fn bin_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("FENGQIAO_BIN_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    let deps = exe.parent().expect("target/<profile>/deps");
    deps.parent().expect("target/<profile>").to_path_buf()
}

/// The path of a workspace binary, built first if missing.
pub fn bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    let dir = bin_dir();
    let path = |n: &str| dir.join(format!("{n}{}", std::env::consts::EXE_SUFFIX));
    if !path("fengqiao-cli").exists() || !path("fengqiao-county").exists() {
        BUILT.get_or_init(|| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").to_path_buf();
            let mut cmd = Command::new(cargo);
            cmd.current_dir(&root).args(["build", "-p", "fengqiao-cli", "-p", "fengqiao-county"]);
            if dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let status = cmd.status().expect("run cargo build");
            assert!(status.success(), "cargo build -p fengqiao-cli -p fengqiao-county failed");
        });
    }
    let p = path(name);
    assert!(p.exists(), "{} is missing after the build", p.display());
    p
}

/// Runs a command to its end, at most [`PROCESS_LIMIT`]; kills it and fails after that.
pub fn run(cmd: &mut Command) -> Output {
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    wait_output(child, PROCESS_LIMIT)
}

/// Waits for a child's output, killing it after `limit`.
pub fn wait_output(mut child: Child, limit: Duration) -> Output {
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out = thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut b);
        }
        b
    });
    let err = thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut b);
        }
        b
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a child process ran longer than {limit:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() }
}

pub fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// Sends SIGTERM (a graceful stop).
pub fn terminate(child: &Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
}

/// Polls `f` every 10 ms until it holds; fails after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------------------------------------
// The county server.

/// A `fengqiao-county serve` process on 127.0.0.1 with its data directory.
pub struct County {
    pub data: PathBuf,
    pub addr: SocketAddr,
    child: Option<Child>,
}

impl County {
    /// Starts a server on an ephemeral port.
    pub fn start(data: &Path) -> County {
        let (child, addr) = Self::spawn(data, "127.0.0.1:0");
        County { data: data.to_path_buf(), addr, child: Some(child) }
    }

    fn spawn(data: &Path, listen: &str) -> (Child, SocketAddr) {
        std::fs::create_dir_all(data).unwrap();
        let log = File::options().create(true).append(true).open(data.with_extension("log")).unwrap();
        let started = Instant::now();
        loop {
            let mut child = Command::new(bin("fengqiao-county"))
                .args(["serve", "--listen", listen, "--data"])
                .arg(data)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::from(log.try_clone().unwrap()))
                .spawn()
                .expect("spawn fengqiao-county");
            let stdout = child.stdout.take().unwrap();
            let (tx, rx) = std::sync::mpsc::channel();
            thread::spawn(move || {
                let mut lines = BufReader::new(stdout).lines();
                for line in lines.by_ref() {
                    let Ok(line) = line else { break };
                    if let Some(addr) = line.split("http://").nth(1) {
                        let _ = tx.send(addr.trim().to_string());
                        break;
                    }
                }
                for _ in lines {} // keep draining so the server never blocks on a full pipe
            });
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(addr) => return (child, addr.parse().expect("the listening address")),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    // The port of a killed server may take a moment to be free again.
                    assert!(
                        started.elapsed() < Duration::from_secs(30),
                        "fengqiao-county did not start (see {})",
                        data.with_extension("log").display()
                    );
                    thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL, no goodbye.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait (the server finishes what is in flight).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&c);
            let started = Instant::now();
            while c.try_wait().ok().flatten().is_none() {
                if started.elapsed() > Duration::from_secs(20) {
                    let _ = c.kill();
                }
                thread::sleep(Duration::from_millis(10));
            }
        }
    }

    /// Starts again on the same address and data (after `kill` or `stop`).
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        let (child, addr) = Self::spawn(&self.data, &self.addr.to_string());
        assert_eq!(addr, self.addr);
        self.child = Some(child);
    }

    /// An administrative subcommand on this server's data; its stdout.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = run(Command::new(bin("fengqiao-county")).args(args).arg("--data").arg(&self.data));
        assert!(out.status.success(), "fengqiao-county {args:?} failed:\n{}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Registers an office; (office id, one-time enrollment code).
    pub fn add_office(&self, name: &str, division_code: &str) -> (String, String) {
        let v: Value = serde_json::from_str(&self.admin(&["office", "add", "--name", name, "--division-code", division_code, "--json"])).unwrap();
        (v["office_id"].as_str().unwrap().to_string(), v["enrollment_code"].as_str().unwrap().to_string())
    }

    /// Another one-time code for an office (a second PC).
    pub fn new_code(&self, office: &str) -> String {
        let v: Value = serde_json::from_str(&self.admin(&["office", "code", "--office", office, "--json"])).unwrap();
        v["enrollment_code"].as_str().unwrap().to_string()
    }

    /// `export --office`, as bytes.
    pub fn export(&self, office: &str) -> Vec<u8> {
        let file = self.data.with_extension(format!("export-{}.jsonl", uuid::Uuid::now_v7()));
        self.admin(&["export", "--office", office, "--out", file.to_str().unwrap()]);
        let bytes = std::fs::read(&file).unwrap();
        let _ = std::fs::remove_file(&file);
        bytes
    }

    /// How many changes the county holds for an office (each change id once).
    pub fn changes(&self, office: &str) -> i64 {
        let v: Value = serde_json::from_str(&self.admin(&["office", "list", "--json"])).unwrap();
        let list = v.as_array().cloned().or_else(|| v["offices"].as_array().cloned()).expect("a list of offices");
        let o = list
            .iter()
            .find(|o| o["id"].as_str() == Some(office) || o["division_code"].as_str() == Some(office) || o["name"].as_str() == Some(office))
            .unwrap_or_else(|| panic!("office {office} not listed: {v}"));
        o["changes"].as_i64().expect("changes")
    }
}

impl Drop for County {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------------
// An office PC.

/// An office data directory driven through `fengqiao-cli`.
pub struct Office {
    pub dir: PathBuf,
    /// `FENGQIAO_SYNC_TIMEOUT` for its sync commands (seconds).
    pub timeout_secs: Option<f64>,
}

impl Office {
    pub fn new(dir: &Path) -> Office {
        Office { dir: dir.to_path_buf(), timeout_secs: None }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin("fengqiao-cli"));
        cmd.arg("--data-dir").arg(&self.dir).args(args).env_remove("FENGQIAO_DATA_DIR").env_remove("FENGQIAO_NOW");
        match self.timeout_secs {
            Some(t) => cmd.env("FENGQIAO_SYNC_TIMEOUT", t.to_string()),
            None => cmd.env_remove("FENGQIAO_SYNC_TIMEOUT"),
        };
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run(&mut self.command(args))
    }

    /// Runs and requires success; stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "fengqiao-cli {args:?} failed:\n{}\n{}", text(&out.stderr), text(&out.stdout));
        text(&out.stdout)
    }

    pub fn init(&self, name: &str, division_code: &str) {
        self.ok(&["init", "--office", name, "--division-code", division_code]);
    }

    pub fn demo(&self, disputes: usize, released: usize, screenings: usize, seed: u64) {
        let (d, r, s, seed) = (disputes.to_string(), released.to_string(), screenings.to_string(), seed.to_string());
        self.ok(&["demo-data", "--disputes", &d, "--released", &r, "--screenings", &s, "--seed", &seed]);
    }

    pub fn enroll(&self, server: &str, code: &str) {
        self.ok(&["enroll", "--server", server, "--code", code]);
    }

    /// `sync --once` with one attempt (and any extra arguments).
    pub fn sync(&self, extra: &[&str]) -> Output {
        let mut args = vec!["sync", "--once", "--attempts", "1"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `sync --once` that must finish.
    pub fn sync_ok(&self) {
        let out = self.sync(&[]);
        assert!(out.status.success(), "sync --once failed:\n{}", text(&out.stderr));
    }

    /// `sync --once` started in the background.
    pub fn spawn_sync(&self, extra: &[&str]) -> Child {
        let mut args = vec!["sync", "--once"];
        args.extend_from_slice(extra);
        self.command(&args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn sync")
    }

    /// `export`, as bytes.
    pub fn export(&self) -> Vec<u8> {
        let file = self.dir.with_extension(format!("export-{}.jsonl", uuid::Uuid::now_v7()));
        self.ok(&["export", "--out", file.to_str().unwrap()]);
        let bytes = std::fs::read(&file).unwrap();
        let _ = std::fs::remove_file(&file);
        bytes
    }

    /// `sync status --json`.
    pub fn status(&self) -> Value {
        serde_json::from_str(&self.ok(&["--json", "sync", "status"])).unwrap()
    }

    /// The store, for edits a clerk would make in the app.
    pub fn store(&self) -> fengqiao_store::Store {
        fengqiao_store::Store::open(&self.dir).unwrap()
    }

    /// Every change-log entry of the store: (total, made on this PC).
    pub fn log_sizes(&self) -> (i64, i64) {
        let store = self.store();
        let c = store.connection();
        let total = c.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
        let local = c.query_row("SELECT count(*) FROM change_log WHERE origin = 'local'", [], |r| r.get(0)).unwrap();
        (total, local)
    }

    pub fn office_id(&self) -> String {
        self.store().office_id().to_string()
    }
}

/// The two exports must be the same bytes; on failure, the first differing line of each.
pub fn assert_same_export(what: &str, a: &[u8], b: &[u8]) {
    if a == b {
        return;
    }
    let (la, lb): (Vec<&[u8]>, Vec<&[u8]>) = (a.split(|c| *c == b'\n').collect(), b.split(|c| *c == b'\n').collect());
    let i = la.iter().zip(&lb).position(|(x, y)| x != y).unwrap_or(la.len().min(lb.len()));
    let show = |l: Option<&&[u8]>| l.map(|l| text(l).chars().take(600).collect::<String>()).unwrap_or_else(|| "（无）".into());
    panic!("{what}: exports differ ({} vs {} lines), first at line {}:\n{}\n---\n{}", la.len(), lb.len(), i + 1, show(la.get(i)), show(lb.get(i)));
}

// ---------------------------------------------------------------------------------------------
// The proxy.

/// What the proxy does to a request it was told to spoil.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// Close the connection as the request begins: nothing reaches the county.
    DropBeforeRequest,
    /// Forward the whole request, then close the connection when the answer begins: the county
    /// did the work and the agent never hears of it.
    DropAfterRequest,
    /// Forward only this many bytes of the request (its head and part of its body), then close.
    CutRequest(usize),
    /// Forward only this many bytes of the answer (its head and part of its body), then close.
    CutResponse(usize),
    /// Hold the answer this long before forwarding it.
    Delay(Duration),
    /// Forward the request, then reset the connection (TCP RST) when the answer begins.
    Reset,
}

#[derive(Debug, Clone)]
struct Plan {
    /// Only requests whose path starts with this count.
    path: String,
    /// Matching requests to let through first.
    skip: usize,
    /// Matching requests to spoil after those.
    count: usize,
    fault: Fault,
}

/// One request seen by the proxy.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub fault: Option<Fault>,
    /// Its head and body went whole to the county.
    pub forwarded: bool,
}

#[derive(Default)]
struct ProxyState {
    plan: Mutex<Option<Plan>>,
    seen: Mutex<Vec<Seen>>,
    upstream: Mutex<Option<SocketAddr>>,
    stop: AtomicBool,
    connections: AtomicUsize,
}

impl ProxyState {
    /// Notes a request and says whether to spoil it.
    fn request(&self, path: &str) -> (usize, Option<Fault>) {
        let mut plan = self.plan.lock().unwrap();
        let fault = match plan.as_mut() {
            Some(p) if path.starts_with(&p.path) => {
                if p.skip > 0 {
                    p.skip -= 1;
                    None
                } else if p.count > 0 {
                    p.count -= 1;
                    Some(p.fault)
                } else {
                    None
                }
            }
            _ => None,
        };
        let mut seen = self.seen.lock().unwrap();
        seen.push(Seen { path: path.to_string(), fault, forwarded: false });
        (seen.len() - 1, fault)
    }
}

/// A TCP proxy on 127.0.0.1 that forwards to the county and spoils the requests it is told to.
pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<ProxyState>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(ProxyState::default());
        *state.upstream.lock().unwrap() = Some(upstream);
        let st = state.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                let st = st.clone();
                st.connections.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || connection(st, client));
            }
        });
        Proxy { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Spoils `count` requests to paths starting with `path`, after letting `skip` of them
    /// through (counted from now).
    pub fn fail(&self, path: &str, skip: usize, count: usize, fault: Fault) {
        *self.state.plan.lock().unwrap() = Some(Plan { path: path.to_string(), skip, count, fault });
    }

    /// No more faults.
    pub fn heal(&self) {
        *self.state.plan.lock().unwrap() = None;
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// How many requests were spoiled.
    pub fn spoiled(&self) -> usize {
        self.seen().iter().filter(|s| s.fault.is_some()).count()
    }

    /// How many requests to paths starting with `path` went whole to the county.
    pub fn forwarded(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.forwarded && s.path.starts_with(path)).count()
    }

    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// What the answer side must do, set by the request side before it forwards a spoiled request.
#[derive(Default)]
struct Conn {
    answer: Mutex<Option<Fault>>,
}

fn connection(st: Arc<ProxyState>, client: TcpStream) {
    let Some(upstream) = *st.upstream.lock().unwrap() else { return };
    let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let client = Arc::new(client);
    let server = Arc::new(server);
    let conn = Arc::new(Conn::default());
    let answers = {
        let (client, server, conn) = (client.clone(), server.clone(), conn.clone());
        thread::spawn(move || answer_side(&client, &server, &conn))
    };
    request_side(&st, &client, &server, &conn);
    let _ = answers.join();
}

/// Client → county, request by request (HTTP/1.1: a head, then `Content-Length` bytes).
fn request_side(st: &ProxyState, client: &Arc<TcpStream>, server: &Arc<TcpStream>, conn: &Conn) {
    let mut reader = BufReader::new(&**client);
    let close_both = || {
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
    };
    loop {
        let mut head = Vec::new();
        loop {
            match reader.read_until(b'\n', &mut head) {
                Ok(0) | Err(_) => {
                    let _ = server.shutdown(Shutdown::Write);
                    return;
                }
                Ok(_) if head.ends_with(b"\r\n\r\n") => break,
                Ok(_) => {}
            }
        }
        let head_text = String::from_utf8_lossy(&head).into_owned();
        let path = head_text.split_whitespace().nth(1).unwrap_or("").to_string();
        let length: usize = head_text
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0);
        let (index, fault) = st.request(&path);
        match fault {
            Some(Fault::DropBeforeRequest) => return close_both(),
            Some(Fault::CutRequest(n)) => {
                let mut w = &**server;
                let head_part = n.min(head.len());
                let _ = w.write_all(&head[..head_part]);
                let mut rest = vec![0u8; n.saturating_sub(head.len()).min(length)];
                if reader.read_exact(&mut rest).is_ok() {
                    let _ = w.write_all(&rest);
                }
                let _ = w.flush();
                thread::sleep(Duration::from_millis(50));
                return close_both();
            }
            Some(f) => *conn.answer.lock().unwrap() = Some(f),
            None => {}
        }
        let mut w = &**server;
        if w.write_all(&head).is_err() {
            return close_both();
        }
        match std::io::copy(&mut (&mut reader).take(length as u64), &mut w) {
            Ok(n) if n == length as u64 => {}
            _ => return close_both(),
        }
        st.seen.lock().unwrap()[index].forwarded = true;
    }
}

/// County → client, with the answer's fault applied.
fn answer_side(client: &Arc<TcpStream>, server: &Arc<TcpStream>, conn: &Conn) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut sent_of_spoiled = 0usize;
    loop {
        let n = match (&**server).read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = client.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => n,
        };
        let fault = *conn.answer.lock().unwrap();
        let chunk = &buf[..n];
        match fault {
            Some(Fault::DropAfterRequest) => {
                let _ = client.shutdown(Shutdown::Both);
                let _ = server.shutdown(Shutdown::Both);
                return;
            }
            Some(Fault::Reset) => {
                let _ = socket2::SockRef::from(&**client).set_linger(Some(Duration::ZERO));
                // The request side's read ends, the connection lets go of the socket, and its
                // last close, with a zero linger, sends RST.
                let _ = client.shutdown(Shutdown::Read);
                let _ = server.shutdown(Shutdown::Both);
                return;
            }
            Some(Fault::CutResponse(limit)) => {
                let allowed = limit.saturating_sub(sent_of_spoiled).min(chunk.len());
                let _ = (&**client).write_all(&chunk[..allowed]);
                sent_of_spoiled += allowed;
                if sent_of_spoiled >= limit {
                    let _ = (&**client).flush();
                    let _ = client.shutdown(Shutdown::Both);
                    let _ = server.shutdown(Shutdown::Both);
                    return;
                }
                continue;
            }
            Some(Fault::Delay(d)) => {
                thread::sleep(d);
                *conn.answer.lock().unwrap() = None;
            }
            _ => {}
        }
        if (&**client).write_all(chunk).is_err() {
            let _ = server.shutdown(Shutdown::Both);
            return;
        }
    }
}
