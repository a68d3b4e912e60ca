//! Render: hits as terminal text (colour, sanitised) or JSON Lines. The only stage
//! that knows about colours and output formats.

pub mod json;
pub mod sanitize;
pub mod text;

pub use text::{Style, TextRenderer};
