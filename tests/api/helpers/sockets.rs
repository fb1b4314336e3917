//! Subscriptions over graphql-transport-ws on `/graphql/ws`: connecting, `connection_init`
//! with a token, subscribing to `observationChanged`, reading what arrives.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Every change of a value the caller may read, under `$filter`.
pub const CHANGED: &str = "subscription($filter: ObservationFilter) { observationChanged(filter: $filter) { \
    period value status suppressed area { code } indicator { code } } }";

/// A connection to `/graphql/ws` speaking graphql-transport-ws, not yet initialised.
pub async fn open(addr: SocketAddr) -> Socket {
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request().expect("request");
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().expect("header"));
    let (socket, response) = tokio_tungstenite::connect_async(request).await.expect("connect");
    assert_eq!(response.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    socket
}

/// `connection_init` with the token, if any; the server's answer, if one comes in 5 s.
pub async fn init(socket: &mut Socket, token: Option<&str>) -> Option<Value> {
    let payload = token.map_or(json!({}), |token| json!({ "token": token }));
    send(socket, json!({ "type": "connection_init", "payload": payload })).await;
    next(socket, Duration::from_secs(5)).await
}

/// A connection to `/graphql/ws`, initialised with a token, and the answer to that.
pub async fn connect(addr: SocketAddr, token: &str) -> (Socket, Value) {
    let mut socket = open(addr).await;
    let ack = init(&mut socket, Some(token)).await.expect("an answer to connection_init");
    (socket, ack)
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.expect("send");
}

/// Subscribes to `CHANGED` under `filter`, as subscription `id`.
pub async fn subscribe(socket: &mut Socket, id: &str, filter: Value) {
    let payload = json!({ "query": CHANGED, "variables": { "filter": filter } });
    send(socket, json!({ "id": id, "type": "subscribe", "payload": payload })).await;
}

/// The next protocol message, skipping pings; `{"type": "closed"}` when the server closed
/// the connection, `None` when nothing comes in time (or the connection is gone).
pub async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(wait, socket.next()).await.ok()??.ok()?;
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).expect("json");
                if value["type"] != "ping" && value["type"] != "pong" {
                    return Some(value);
                }
            }
            Message::Close(frame) => {
                return Some(json!({ "type": "closed", "frame": frame.map(|f| f.reason.to_string()) }))
            }
            _ => {}
        }
    }
}

/// The messages that arrive until none has for `wait`, or the connection closes.
pub async fn drain(socket: &mut Socket, wait: Duration) -> Vec<Value> {
    let mut messages = Vec::new();
    while let Some(message) = next(socket, wait).await {
        let closed = message["type"] == "closed";
        messages.push(message);
        if closed {
            break;
        }
    }
    messages
}

/// The subscription's one answer was its last.
pub async fn assert_completes(socket: &mut Socket) {
    assert_eq!(next(socket, Duration::from_secs(5)).await.map(|m| m["type"].clone()), Some(json!("complete")));
}
