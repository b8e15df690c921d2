//! The direct path: HTTP/1.1 over tokio's `TcpStream` (rustls for `https`), done entirely in the
//! calling task. No connection task, no channel between the request and its connection: a
//! sequential call wakes no other task or thread, and the bytes written are counted, so a request
//! whose head never fully left is known to be undelivered.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use nicepay_snap::{Method, PreparedRequest, RawResponse, TransportError, TransportErrorKind};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;

/// Pooled connections idle longer than this are closed instead of reused.
const IDLE_LIMIT: Duration = Duration::from_secs(50);
/// Idle connections kept per transport.
const MAX_IDLE: usize = 64;
/// Largest accepted response head (status line and headers).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Where a request goes: scheme, host and port, and the request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    tls: bool,
    /// Host as written in the URL (IPv6 in brackets), and the port (explicit or default).
    host: String,
    port: u16,
    /// `host[:port]` for the `Host` header (the port only when the URL has one).
    authority: String,
    /// Path and query.
    path: String,
}

impl Target {
    /// The target of a plain `http(s)://host[:port]/path` URL; `None` for anything else (user
    /// info, other schemes), which the reqwest path handles.
    pub(crate) fn parse(url: &str) -> Option<Self> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else {
            (false, url.strip_prefix("http://")?)
        };
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        if authority.is_empty() || authority.contains('@') || path.contains('#') {
            return None;
        }
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(authority[i + 1..].parse().ok()?)),
            _ => (authority, None),
        };
        if host.is_empty() || !host.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let path = match path {
            "" => "/".to_owned(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_owned(),
        };
        Some(Self {
            tls,
            host: host.to_owned(),
            port: port.unwrap_or(if tls { 443 } else { 80 }),
            authority: authority.to_owned(),
            path,
        })
    }

    /// The host to connect to (IPv6 without its brackets).
    fn connect_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    fn same_origin(&self, other: &Self) -> bool {
        self.tls == other.tls && self.port == other.port && self.host == other.host
    }
}

/// One connection, plain or TLS.
#[derive(Debug)]
enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => s.get_ref().0,
        }
    }

    /// Whether an idle connection can carry another request: the peer has not closed it and sent
    /// nothing unasked. Looks at the socket itself (a non-blocking peek), not at the readiness
    /// the runtime last saw.
    fn reusable(&self) -> bool {
        let mut byte = [MaybeUninit::<u8>::uninit()];
        matches!(
            socket2::SockRef::from(self.tcp()).peek(&mut byte),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock
        )
    }
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// An idle pooled connection.
#[derive(Debug)]
struct Idle {
    target: Target,
    conn: Conn,
    since: Instant,
}

/// The direct HTTP/1.1 client of one transport: settings, TLS configuration and its idle
/// connections.
pub(crate) struct Direct {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_body_bytes: usize,
    tls: tokio_rustls::TlsConnector,
    idle: Mutex<Vec<Idle>>,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

/// How far the request got: bytes accepted by the connection (plaintext, above TLS) and the
/// length of its head.
#[derive(Debug, Default)]
struct Progress {
    written: usize,
    head_len: usize,
}

impl Progress {
    /// Whether the whole head may have reached the server.
    fn head_out(&self) -> bool {
        self.head_len > 0 && self.written >= self.head_len
    }
}

fn err(kind: TransportErrorKind, message: impl Into<String>) -> TransportError {
    TransportError::new(kind, message.into())
}

/// A failure after the connection was open: not delivered while the head was not completely
/// handed to the connection, else `kind` (the server may have received the request).
fn failed(progress: &Progress, kind: TransportErrorKind, what: &str, source: Option<io::Error>) -> TransportError {
    let (kind, message) = if progress.head_out() {
        (kind, what.to_owned())
    } else {
        (
            TransportErrorKind::Connect,
            format!(
                "request head not completely written ({} of {} bytes), so not delivered: {what}",
                progress.written, progress.head_len
            ),
        )
    };
    let error = err(kind, message);
    match source {
        Some(source) => error.with_source(source),
        None => error,
    }
}

fn io_failed(progress: &Progress, what: &str, e: io::Error) -> TransportError {
    let kind = if e.kind() == io::ErrorKind::TimedOut {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Io
    };
    failed(progress, kind, &format!("{what}: {e}"), Some(e))
}

/// The request head: request line, the request's headers, `Host` and `Content-Length`.
/// Refuses header names or values that would break the framing (nothing is sent then).
fn encode_head(method: &str, target: &Target, request: &PreparedRequest) -> Result<Vec<u8>, TransportError> {
    let mut head = Vec::with_capacity(
        256 + request
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum::<usize>(),
    );
    head.extend_from_slice(method.as_bytes());
    head.push(b' ');
    head.extend_from_slice(target.path.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    head.extend_from_slice(target.authority.as_bytes());
    head.extend_from_slice(b"\r\n");
    for (name, value) in &request.headers {
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) {
            return Err(err(TransportErrorKind::Other, "invalid header name; nothing was sent"));
        }
        // The value is not echoed: it may be a secret (the access token).
        if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(err(
                TransportErrorKind::Other,
                format!(
                    "header {} has a control character in its value; nothing was sent",
                    nicepay_snap::error::echo(name)
                ),
            ));
        }
        if ["host", "content-length", "transfer-encoding", "connection"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", request.body.len()).as_bytes());
    Ok(head)
}

/// A response read from a connection, and whether the connection may carry another request.
struct Answer {
    response: RawResponse,
    reusable: bool,
}

/// Buffered reading of one response.
struct Reader<'a> {
    conn: &'a mut Conn,
    buf: Vec<u8>,
    pos: usize,
}

impl Reader<'_> {
    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// Reads more bytes; an error at the end of the stream.
    async fn more(&mut self) -> io::Result<()> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        self.buf.reserve(16 * 1024);
        if self.conn.read_buf(&mut self.buf).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the whole response arrived",
            ));
        }
        Ok(())
    }

    /// One CRLF-terminated line (without the CRLF), of at most `limit` bytes.
    async fn line(&mut self, limit: usize) -> io::Result<Vec<u8>> {
        loop {
            if let Some(end) = self.available().windows(2).position(|w| w == b"\r\n") {
                let line = self.available()[..end].to_vec();
                self.pos += end + 2;
                return Ok(line);
            }
            if self.available().len() > limit {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "line too long in the response",
                ));
            }
            self.more().await?;
        }
    }

    /// Appends exactly `n` bytes to `out`.
    async fn exact(&mut self, mut n: usize, out: &mut Vec<u8>) -> io::Result<()> {
        loop {
            let take = n.min(self.available().len());
            out.extend_from_slice(&self.available()[..take]);
            self.pos += take;
            n -= take;
            if n == 0 {
                return Ok(());
            }
            self.more().await?;
        }
    }
}

/// The headers of a response head and where its body starts.
type Head = (u16, u8, Vec<(String, String)>, usize);

/// Parses a complete response head at the start of `bytes`; `None` while incomplete.
fn parse_head(bytes: &[u8]) -> io::Result<Option<Head>> {
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut slots);
    let end = match response.parse(bytes) {
        Ok(httparse::Status::Complete(end)) => end,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad response head: {e}"),
            ))
        }
    };
    let headers = response
        .headers
        .iter()
        .filter_map(|h| {
            Some((
                h.name.to_ascii_lowercase(),
                std::str::from_utf8(h.value).ok()?.to_owned(),
            ))
        })
        .collect();
    Ok(Some((
        response.code.unwrap_or(0),
        response.version.unwrap_or(0),
        headers,
        end,
    )))
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
    headers
        .iter()
        .filter(|(n, _)| n == name)
        .flat_map(|(_, v)| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

fn too_large(max: usize) -> TransportError {
    err(
        TransportErrorKind::BodyTooLarge,
        format!("response body larger than {max} bytes"),
    )
}

impl Direct {
    pub(crate) fn new(
        connect_timeout: Duration,
        timeout: Duration,
        max_body_bytes: usize,
        extra_roots: &[Vec<u8>],
    ) -> Result<Self, TransportError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for der in extra_roots {
            roots
                .add(rustls::pki_types::CertificateDer::from(der.clone()))
                .map_err(|e| err(TransportErrorKind::Other, format!("bad root certificate: {e}")))?;
        }
        let mut config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| err(TransportErrorKind::Other, e.to_string()))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            connect_timeout,
            timeout,
            max_body_bytes,
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
            idle: Mutex::new(Vec::new()),
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        // A plain list of connections: a panic while it was held cannot leave it inconsistent.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The most recently used live idle connection to `target`'s origin.
    fn checkout(&self, target: &Target) -> Option<Conn> {
        let mut idle = self.idle();
        idle.retain(|i| i.since.elapsed() < IDLE_LIMIT);
        while let Some(at) = idle.iter().rposition(|i| i.target.same_origin(target)) {
            let candidate = idle.swap_remove(at);
            if candidate.conn.reusable() {
                return Some(candidate.conn);
            }
        }
        None
    }

    fn checkin(&self, target: &Target, conn: Conn) {
        let mut idle = self.idle();
        if idle.len() >= MAX_IDLE {
            idle.remove(0);
        }
        idle.push(Idle {
            target: target.clone(),
            conn,
            since: Instant::now(),
        });
    }

    /// A new connection (TCP, then TLS for `https`); every failure here is "not delivered".
    async fn connect(&self, target: &Target) -> Result<Conn, TransportError> {
        let open = async {
            let tcp = TcpStream::connect((target.connect_host(), target.port))
                .await
                .map_err(|e| {
                    err(
                        TransportErrorKind::Connect,
                        format!("connect to {}: {e}", target.authority),
                    )
                })?;
            // Head and body go out in one write; no reason to wait for an ACK before it.
            let _ = tcp.set_nodelay(true);
            if !target.tls {
                return Ok(Conn::Plain(tcp));
            }
            let name = rustls::pki_types::ServerName::try_from(target.connect_host().to_owned())
                .map_err(|e| err(TransportErrorKind::Connect, format!("bad TLS server name: {e}")))?;
            let tls = self.tls.connect(name, tcp).await.map_err(|e| {
                err(
                    TransportErrorKind::Connect,
                    format!("TLS handshake with {}: {e}", target.authority),
                )
            })?;
            Ok(Conn::Tls(Box::new(tls)))
        };
        match tokio::time::timeout(self.connect_timeout, open).await {
            Ok(conn) => conn,
            Err(_) => Err(err(
                TransportErrorKind::Connect,
                format!("connect to {} timed out", target.authority),
            )),
        }
    }

    /// Sends `request` to `target` and reads the answer, within the overall timeout.
    pub(crate) async fn send(&self, target: &Target, request: &PreparedRequest) -> Result<RawResponse, TransportError> {
        let method = match request.method {
            Method::Post => "POST",
            Method::Delete => "DELETE",
            other => return Err(err(TransportErrorKind::Other, format!("unsupported method {other}"))),
        };
        let mut message = encode_head(method, target, request)?;
        let mut progress = Progress {
            written: 0,
            head_len: message.len(),
        };
        message.extend_from_slice(&request.body);
        let exchange = self.exchange(target, &message, &mut progress);
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(answer) => answer,
            Err(_) => Err(failed(
                &progress,
                TransportErrorKind::Timeout,
                &format!("no complete answer within {:?}", self.timeout),
                None,
            )),
        }
    }

    async fn exchange(
        &self,
        target: &Target,
        message: &[u8],
        progress: &mut Progress,
    ) -> Result<RawResponse, TransportError> {
        let mut conn = match self.checkout(target) {
            Some(conn) => conn,
            None => self.connect(target).await?,
        };
        while progress.written < message.len() {
            match conn.write(&message[progress.written..]).await {
                Ok(0) => {
                    let e = io::Error::new(io::ErrorKind::WriteZero, "connection accepted no more bytes");
                    return Err(io_failed(progress, "writing the request", e));
                }
                Ok(n) => progress.written += n,
                Err(e) => return Err(io_failed(progress, "writing the request", e)),
            }
        }
        conn.flush()
            .await
            .map_err(|e| io_failed(progress, "writing the request", e))?;
        let answer = self
            .read_answer(&mut conn)
            .await
            .map_err(|e| e.unwrap_or_else(|e| io_failed(progress, "reading the response", e)))?;
        if answer.reusable {
            self.checkin(target, conn);
        }
        Ok(answer.response)
    }

    /// Reads one response. `Err(Ok(_))` is a finished classification (a body over the cap),
    /// `Err(Err(_))` an IO failure.
    async fn read_answer(&self, conn: &mut Conn) -> Result<Answer, Result<TransportError, io::Error>> {
        let mut reader = Reader {
            conn,
            buf: Vec::with_capacity(16 * 1024),
            pos: 0,
        };
        let (status, version, headers) = loop {
            match parse_head(reader.available()).map_err(Err)? {
                Some((status, version, headers, end)) => {
                    reader.pos += end;
                    // Interim answers (`100 Continue`, ...) precede the real one.
                    if (100..200).contains(&status) && status != 101 {
                        continue;
                    }
                    break (status, version, headers);
                }
                None if reader.available().len() > MAX_HEAD_BYTES => {
                    return Err(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "response head too large",
                    )))
                }
                None => reader.more().await.map_err(Err)?,
            }
        };
        let max = self.max_body_bytes;
        let mut body = Vec::new();
        let mut reusable = version == 1 && !has_token(&headers, "connection", "close");
        if status == 204 || status == 304 {
        } else if has_token(&headers, "transfer-encoding", "chunked") {
            loop {
                let line = reader.line(1024).await.map_err(Err)?;
                let size = std::str::from_utf8(&line)
                    .ok()
                    .and_then(|l| usize::from_str_radix(l.split(';').next().unwrap_or("").trim(), 16).ok())
                    .ok_or_else(|| Err(io::Error::new(io::ErrorKind::InvalidData, "bad chunk size")))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    while !reader.line(8 * 1024).await.map_err(Err)?.is_empty() {}
                    break;
                }
                if body.len().saturating_add(size) > max {
                    return Err(Ok(too_large(max)));
                }
                reader.exact(size, &mut body).await.map_err(Err)?;
                if !reader.line(2).await.map_err(Err)?.is_empty() {
                    return Err(Err(io::Error::new(io::ErrorKind::InvalidData, "bad chunk end")));
                }
            }
        } else if let Some(len) = header(&headers, "content-length") {
            let len: usize = len
                .trim()
                .parse()
                .map_err(|_| Err(io::Error::new(io::ErrorKind::InvalidData, "bad content-length")))?;
            if len > max {
                return Err(Ok(too_large(max)));
            }
            body.reserve_exact(len);
            reader.exact(len, &mut body).await.map_err(Err)?;
        } else {
            // No framing: the body ends with the connection.
            reusable = false;
            loop {
                let chunk = reader.available().len();
                if body.len() + chunk > max {
                    return Err(Ok(too_large(max)));
                }
                body.extend_from_slice(reader.available());
                reader.pos += chunk;
                match reader.more().await {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(Err(e)),
                }
            }
        }
        // Bytes after the response were never asked for: do not reuse such a connection.
        reusable &= reader.available().is_empty();
        let headers = headers.into_iter().collect();
        Ok(Answer {
            response: RawResponse { status, headers, body },
            reusable,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_of_urls() {
        let t = Target::parse("http://127.0.0.1:8080/nicepay/api/v1.0/x?y=1").unwrap();
        assert_eq!((t.tls, t.connect_host(), t.port), (false, "127.0.0.1", 8080));
        assert_eq!(
            (t.authority.as_str(), t.path.as_str()),
            ("127.0.0.1:8080", "/nicepay/api/v1.0/x?y=1")
        );
        let t = Target::parse("https://dev.nicepay.co.id/nicepay").unwrap();
        assert_eq!((t.tls, t.port, t.authority.as_str()), (true, 443, "dev.nicepay.co.id"));
        let t = Target::parse("https://[::1]:8443").unwrap();
        assert_eq!((t.connect_host(), t.port, t.path.as_str()), ("::1", 8443, "/"));
        for other in [
            "ftp://x/y",
            "http://user:pw@host/x",
            "http://:80/x",
            "http://host:99999/x",
            "http:/x",
        ] {
            assert_eq!(Target::parse(other), None, "{other}");
        }
    }

    #[test]
    fn heads_refuse_what_would_break_the_framing() {
        let target = Target::parse("http://127.0.0.1:1/a").unwrap();
        let mut request = PreparedRequest {
            method: Method::Post,
            url: "http://127.0.0.1:1/a".into(),
            path: "/a".into(),
            headers: [("X-A", "1"), ("content-length", "99")].into_iter().collect(),
            body: b"{}".to_vec(),
        };
        let head = String::from_utf8(encode_head("POST", &target, &request).unwrap()).unwrap();
        assert_eq!(
            head,
            "POST /a HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-A: 1\r\nContent-Length: 2\r\n\r\n"
        );
        request.headers.set("X-A", "secret\r\nX-Evil: 1");
        let e = encode_head("POST", &target, &request).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        request.headers = [("X A", "1")].into_iter().collect();
        assert!(encode_head("POST", &target, &request).is_err());
    }
}
