//! Slow, idle and oversize clients (issue 18, items 6 and 7): raw TCP on 127.0.0.1, every wait
//! bounded.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use nicepay_snap_simulator::{BlockingSimulator, Simulator, SimulatorBuilder};
use serde_json::Value;

/// Longest any single test waits for the server.
const PATIENCE: Duration = Duration::from_secs(10);

fn start(builder: SimulatorBuilder) -> BlockingSimulator {
    builder.start_blocking().expect("simulator starts")
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads until the server closes; panics if it does not within [`PATIENCE`]. Returns the bytes
/// and how long it took.
fn read_until_closed(stream: &mut TcpStream) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (out, started.elapsed()),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return (out, started.elapsed()),
            Err(e) => panic!(
                "the server kept the connection open ({e}) after {:?}",
                started.elapsed()
            ),
        }
    }
}

/// Status, lower-cased headers and body of one HTTP/1.1 answer.
fn parse(raw: &[u8]) -> (u16, String, Value) {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {body:?}"));
    (status, head.to_ascii_lowercase(), body)
}

#[test]
fn idle_connections_are_closed() {
    let sim = start(Simulator::builder().idle_timeout(Duration::from_millis(300)));
    // A client that never sends anything.
    let mut silent = connect(sim.addr());
    // A client that sends one keep-alive request and then goes quiet.
    let mut done = connect(sim.addr());
    done.write_all(b"GET /__admin/info HTTP/1.1\r\nHost: sim\r\n\r\n")
        .unwrap();
    let (raw, waited) = read_until_closed(&mut done);
    assert!(raw.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&raw));
    assert!(waited >= Duration::from_millis(250), "closed too early: {waited:?}");
    let (raw, waited) = read_until_closed(&mut silent);
    assert!(raw.is_empty());
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

#[test]
fn partial_headers_time_out() {
    let sim = start(
        Simulator::builder()
            .header_read_timeout(Duration::from_millis(300))
            .idle_timeout(Duration::from_secs(60)),
    );
    let mut slow = connect(sim.addr());
    slow.write_all(b"POST /nicepay/api/v1.0/qr/qr-mpm-query HTTP/1.1\r\nHost: sim\r\n")
        .unwrap();
    let (raw, waited) = read_until_closed(&mut slow);
    assert!(raw.is_empty(), "{}", String::from_utf8_lossy(&raw));
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // Others are still served.
    let mut next = connect(sim.addr());
    next.write_all(b"GET /__admin/info HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert!(read_until_closed(&mut next).0.starts_with(b"HTTP/1.1 200"));
}

#[test]
fn partial_body_is_snap_json_408() {
    let sim = start(Simulator::builder().body_read_timeout(Duration::from_millis(300)));
    let mut slow = connect(sim.addr());
    slow.write_all(
        b"POST /nicepay/api/v1.0/qr/qr-mpm-query HTTP/1.1\r\nHost: sim\r\nContent-Length: 100\r\n\r\n{\"a\":",
    )
    .unwrap();
    let (raw, waited) = read_until_closed(&mut slow);
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    let (status, head, body) = parse(&raw);
    assert_eq!(status, 408);
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(body["responseCode"], "4085100");
}

#[test]
fn connection_cap_keeps_serving_new_clients() {
    let sim = start(
        Simulator::builder()
            .max_connections(4)
            .idle_timeout(Duration::from_secs(60)),
    );
    let mut idle: Vec<TcpStream> = (0..4).map(|_| connect(sim.addr())).collect();
    // Let the server accept all four.
    std::thread::sleep(Duration::from_millis(200));
    for round in 0..3 {
        let mut client = connect(sim.addr());
        client
            .write_all(b"GET /__admin/info HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n")
            .unwrap();
        let (raw, waited) = read_until_closed(&mut client);
        assert!(
            raw.starts_with(b"HTTP/1.1 200"),
            "round {round}: {}",
            String::from_utf8_lossy(&raw)
        );
        assert!(waited < Duration::from_secs(3), "round {round}: {waited:?}");
    }
    // The longest-idle connections made room.
    let (raw, _) = read_until_closed(&mut idle[0]);
    assert!(raw.is_empty());
}

#[test]
fn wrong_method_is_snap_json_405() {
    let sim = start(Simulator::builder());
    let mut client = connect(sim.addr());
    client
        .write_all(b"GET /nicepay/v1.0/access-token/b2b HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (status, head, body) = parse(&read_until_closed(&mut client).0);
    assert_eq!(status, 405);
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(body["responseCode"], "4057300");
    assert_eq!(body["responseMessage"], "Method Not Allowed. Use POST");
}

#[test]
fn admin_wrong_method_is_json_405() {
    let sim = start(Simulator::builder());
    for request in [
        "DELETE /__admin/state HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n",
        "POST /__sim/ewallet/IONPAYTEST05x/approve HTTP/1.1\r\nHost: sim\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    ] {
        let mut client = connect(sim.addr());
        client.write_all(request.as_bytes()).unwrap();
        let (status, head, body) = parse(&read_until_closed(&mut client).0);
        assert_eq!(status, 405, "{request}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(body["error"].as_str().unwrap().contains("not allowed"), "{body}");
    }
}

/// Sends `body_len` bytes to `path` and returns the answer; the server must read the whole
/// body, so the writes complete and the answer is readable.
fn post_big(addr: SocketAddr, path: &str, body_len: usize) -> (u16, String, Value) {
    let mut client = connect(addr);
    client.set_write_timeout(Some(PATIENCE)).unwrap();
    let head = format!("POST {path} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\nContent-Length: {body_len}\r\nConnection: close\r\n\r\n");
    client.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let mut left = body_len;
    while left > 0 {
        let n = left.min(chunk.len());
        client
            .write_all(&chunk[..n])
            .expect("the server reads the body instead of resetting");
        left -= n;
    }
    parse(&read_until_closed(&mut client).0)
}

#[test]
fn oversize_body_is_snap_json_413() {
    let sim = start(Simulator::builder().max_body_bytes(64 * 1024));
    let (status, head, body) = post_big(sim.addr(), "/nicepay/api/v1.0/qr/qr-mpm-generate", 3 * 1024 * 1024);
    assert_eq!(status, 413);
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("connection: close"), "{head}");
    assert_eq!(body["responseCode"], "4134700");
    // Admin routes answer in their own JSON shape.
    let (status, _, body) = post_big(sim.addr(), "/__admin/faults", 1024 * 1024);
    assert_eq!(status, 413);
    assert_eq!(body["error"], "Request Entity Too Large");
    // A body within the limit is still read and checked as usual.
    let (status, _, body) = post_big(sim.addr(), "/nicepay/api/v1.0/qr/qr-mpm-generate", 1024);
    assert_eq!(status, 401);
    assert_eq!(body["responseCode"], "4014701");
}
