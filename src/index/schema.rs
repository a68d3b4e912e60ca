//! The tantivy schema: one place that names every field and how it is analysed.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{Index, IndexSettings};

/// Analyzer for title and body: words split on non-alphanumerics, lowercased, English-stemmed.
/// Built by `index::analyzer`, whose functions `query::passages` shares.
pub const TEXT_ANALYZER: &str = "newsdex_en";
/// Analyzer for exact values (source, language, entity keys): the whole value, lowercased.
pub const KEYWORD_ANALYZER: &str = "newsdex_keyword";
/// Analyzer for names (authors, entities): words lowercased, not stemmed.
pub const NAME_ANALYZER: &str = "newsdex_name";

/// Bumped whenever the schema changes in a way an old index cannot serve.
pub const SCHEMA_VERSION: u32 = 6;

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub published: Field,
    pub source: Field,
    pub url: Field,
    pub authors: Field,
    pub language: Field,
    pub path: Field,
    pub person: Field,
    pub org: Field,
    pub place: Field,
    pub misc: Field,
    /// The names of each entity field as written, one fast-field value each, for counting
    /// (`query::entities` folds them to keys).
    pub person_facet: Field,
    pub org_facet: Field,
    pub place_facet: Field,
    pub misc_facet: Field,
    /// Canonical path of the file the article came from: the manifest key.
    pub file: Field,
    pub file_size: Field,
    pub file_mtime: Field,
    pub file_hash: Field,
    /// Exact-duplicate fingerprint (see `index::dedup`).
    pub dup_exact: Field,
    /// MinHash band hashes for near-duplicates, two per value (see `index::dedup`).
    pub nearband: Field,
    /// 1 on an exact copy stored without its text (see `index::copies`).
    pub copy: Field,
}

/// The entity fields by their query-language name.
pub const ENTITY_FIELDS: [&str; 4] = ["person", "org", "place", "misc"];

pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    let text = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let keyword = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD_ANALYZER)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        )
    };
    // Exact values, indexed as given: ids and manifest paths.
    let raw = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        )
    };
    b.add_text_field("id", raw().set_stored());
    b.add_text_field("title", text(TEXT_ANALYZER).set_stored());
    b.add_text_field("body", text(TEXT_ANALYZER).set_stored());
    b.add_date_field(
        "published",
        DateOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored()
            .set_precision(DateTimePrecision::Seconds),
    );
    b.add_text_field("source", keyword().set_stored().set_fast("raw"));
    b.add_text_field("url", STORED);
    b.add_text_field("authors", text(NAME_ANALYZER).set_stored());
    b.add_text_field("language", keyword().set_stored().set_fast("raw"));
    b.add_text_field("path", STORED);
    for name in ENTITY_FIELDS {
        // Searchable by word (`person:zelensky`), and countable from a fast column that
        // is not indexed (nothing searches it).
        b.add_text_field(name, text(NAME_ANALYZER).set_stored());
        b.add_text_field(
            &format!("{name}_facet"),
            TextOptions::default().set_fast("raw"),
        );
    }
    b.add_text_field("file", raw().set_fast("raw"));
    b.add_u64_field("file_size", FAST | INDEXED);
    b.add_i64_field("file_mtime", FAST);
    b.add_u64_field("file_hash", FAST);
    b.add_u64_field("dup_exact", FAST | INDEXED);
    b.add_u64_field("nearband", FAST);
    b.add_u64_field(super::copies::COPY_FIELD, FAST);
    b.build()
}

impl Fields {
    /// Looks every field up; fails if the index was built with another schema.
    pub fn from_schema(schema: &Schema) -> Result<Fields, String> {
        let f = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| format!("field {name:?} is missing"))
        };
        Ok(Fields {
            id: f("id")?,
            title: f("title")?,
            body: f("body")?,
            published: f("published")?,
            source: f("source")?,
            url: f("url")?,
            authors: f("authors")?,
            language: f("language")?,
            path: f("path")?,
            person: f("person")?,
            org: f("org")?,
            place: f("place")?,
            misc: f("misc")?,
            person_facet: f("person_facet")?,
            org_facet: f("org_facet")?,
            place_facet: f("place_facet")?,
            misc_facet: f("misc_facet")?,
            file: f("file")?,
            file_size: f("file_size")?,
            file_mtime: f("file_mtime")?,
            file_hash: f("file_hash")?,
            dup_exact: f("dup_exact")?,
            nearband: f("nearband")?,
            copy: f(super::copies::COPY_FIELD)?,
        })
    }

    /// The stored/searchable entity field for a query-language name.
    pub fn entity(&self, name: &str) -> Option<Field> {
        match name {
            "person" => Some(self.person),
            "org" => Some(self.org),
            "place" => Some(self.place),
            "misc" => Some(self.misc),
            _ => None,
        }
    }
}

/// Settings fixed when an index is created: the document store is compressed with zstd
/// (level 3, 16 KB blocks). Against tantivy's default lz4 it stores the 106k-article
/// Reuters corpus in 258 MB instead of 338 MB for the same indexing time; reading a
/// hit's block costs a few tens of microseconds more (see BENCHMARKS.md).
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 16 * 1024,
        ..IndexSettings::default()
    }
}

/// The text analyzer used for title and body.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(super::analyzer::EnglishTokenizer::default())
}

/// Registers newsdex's analyzers on an index (they are not persisted by tantivy).
pub fn register_analyzers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(TEXT_ANALYZER, text_analyzer());
    tokenizers.register(
        KEYWORD_ANALYZER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    tokenizers.register(
        NAME_ANALYZER,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(super::analyzer::MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .build(),
    );
}
