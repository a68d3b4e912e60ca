//! Query: the query language, search with filters and ranking, and passages with
//! highlight ranges (never markup: rendering is `render`'s job).

pub mod entities;
pub mod parse;
pub mod passages;
pub mod search;

pub use parse::{Expr, parse};
pub use search::{Hit, SearchRequest, SearchResults, Searching, SortOrder};
