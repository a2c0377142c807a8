//! linli's browser client: the field app's documents, sync and records
//! logic, compiled to WebAssembly and run in a dedicated Web Worker.
//!
//! It is the same code as the `linli` CLI, not a copy: the wire messages and
//! the per-document sync session come from `linli-protocol`, the rule for
//! "saved on the relay" is [`linli_protocol::unconfirmed`], and every
//! document is read and written through `linli-records`. Nothing here does
//! I/O: the worker (`web/src/worker/`) owns the websocket and IndexedDB and
//! drives a [`Device`]:
//!
//! 1. at start, feed it each stored chunk ([`Device::load_chunk`]) and the
//!    relay's confirmed heads ([`Device::load_confirmed`]);
//! 2. on a socket open, send [`Device::join`]; feed every binary frame to
//!    [`Device::receive`]; on close, call [`Device::disconnected`];
//! 3. for an intent such as [`Device::log_visit`], and after every call
//!    above, carry out the returned [`Effects`]: store chunks and heads,
//!    wait until IndexedDB committed them, then send the frames;
//! 4. read what to show with the functions of [`view`].
//!
//! The `bindings` module (wasm32 only) wraps this for JavaScript.

mod device;
mod effects;
pub mod view;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod bindings;

pub use device::{
    Device, DeviceError, HelpRequest, Identity, MAX_FRAME_BYTES, Progress, parse_doc, parse_heads,
};
pub use effects::Effects;

#[cfg(test)]
mod tests;
