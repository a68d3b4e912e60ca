//! Named-entity extraction: people, organizations, places and misc, by our own model.
