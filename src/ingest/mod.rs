//! Ingest: walking paths, detecting formats and parsing files into `Article`s.
