//! The listener against slow and greedy clients, over real loopback TCP: a header that
//! never finishes is cut off after the header read timeout, an idle keep-alive
//! connection is closed after the same time, and beyond the connection cap a client
//! waits until a slot frees — it is served only once the slow ones are gone.

use crate::common::node::TestNode;
use deltaseal::adapters::http::{serve_with, ServeOptions};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

async fn start(opts: ServeOptions) -> (SocketAddr, tokio::task::JoinHandle<()>, TestNode) {
    let node = TestNode::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = node.app.clone();
    let task = tokio::spawn(async move {
        serve_with(listener, app, std::future::pending(), opts)
            .await
            .unwrap();
    });
    (addr, task, node)
}

/// Whether the server closed `s`: a read gives end of file (or a reset) within `guard`.
fn closed_within(s: &mut TcpStream, guard: Duration) -> bool {
    s.set_read_timeout(Some(guard)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // a response (e.g. 408) before the close
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false, // timed out: still open
        }
    }
}

fn slow_client(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: node.test\r\nX-Slow: ")
        .unwrap();
    s
}

fn opts(header_s: u64, max_connections: usize) -> ServeOptions {
    ServeOptions {
        header_read_timeout: Duration::from_secs(header_s),
        max_connections,
        ..ServeOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_that_never_finishes_and_an_idle_connection_are_cut_off() {
    let (addr, task, _node) = start(opts(1, 16)).await;
    let (slow, idle) = tokio::task::spawn_blocking(move || {
        let mut slow = slow_client(addr);
        let slow_closed = closed_within(&mut slow, Duration::from_secs(10));
        // a whole request is answered; the connection then idles and is closed
        let mut idle = TcpStream::connect(addr).unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: node.test\r\n\r\n")
            .unwrap();
        idle.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = idle.read(&mut buf).unwrap();
        assert!(
            buf[..n].starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&buf[..n])
        );
        let idle_closed = closed_within(&mut idle, Duration::from_secs(10));
        (slow_closed, idle_closed)
    })
    .await
    .unwrap();
    assert!(slow, "a header that never finishes holds the connection");
    assert!(idle, "an idle keep-alive connection stays open");
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_a_client_waits_for_a_free_slot() {
    let (addr, task, _node) = start(opts(3, 2)).await;
    tokio::task::spawn_blocking(move || {
        let mut a = slow_client(addr);
        let mut b = slow_client(addr);
        std::thread::sleep(Duration::from_millis(300));
        // the third is accepted by the kernel, served once a slot frees
        let mut c = TcpStream::connect(addr).unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: node.test\r\nConnection: close\r\n\r\n")
            .unwrap();
        c.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let mut answer = Vec::new();
        c.read_to_end(&mut answer).unwrap();
        assert!(
            answer.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
        // by then both slow connections were already cut off: the cap held c back
        assert!(closed_within(&mut a, Duration::from_millis(200)));
        assert!(closed_within(&mut b, Duration::from_millis(200)));
    })
    .await
    .unwrap();
    task.abort();
}
