//! What the tests share: the app under test and its builder (`app`), the fresh database under
//! it (`base`), direct database access (`database`), requests (`http`), tokens (`tokens`),
//! pushes and reviews (`push`), subscriptions over WebSocket (`sockets`), the real binary
//! (`process`) and Python for the client examples (`python`).

pub mod app;
pub mod base;
pub mod database;
pub mod http;
pub mod process;
pub mod push;
mod push_mutation;
pub mod python;
pub mod sockets;
pub mod tokens;

pub use app::TestApp;
